package proxy.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the command line, the environment and a config file into a {@link Config}. A flag wins
 * over its environment variable, which wins over the config file ({@link ConfigFile}), which wins
 * over the default. Flags take {@code --name value} or {@code --name=value}.
 */
public final class Args {

    /** What the command line asked for. */
    public sealed interface Parsed {}

    public record Run(Config config) implements Parsed {}

    public record Help() implements Parsed {}

    public record Version() implements Parsed {}

    /**
     * {@code --print-config}: the configuration is valid, and {@code text} lists every setting
     * with its value and source, the API key masked.
     */
    public record PrintConfig(Config config, String text) implements Parsed {}

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Args() {}

    public static Parsed parse(String[] args, Map<String, String> env) throws UsageException {
        Map<Option, String> flags = new EnumMap<>(Option.class);
        boolean printConfig = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Help();
            }
            if (arg.equals("--version")) {
                return new Version();
            }
            if (arg.equals("--print-config")) {
                printConfig = true;
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Option option = Option.byFlag(name);
            if (option == null) {
                throw new UsageException("unknown option '" + name + "'");
            }
            if (value == null && option.isSwitch()) {
                value = "on";
            } else if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(option.flag() + " needs a value (" + option.metavar() + ")");
                }
                value = args[++i];
            }
            flags.put(option, value);
        }
        if (flags.containsKey(Option.API_KEY) && flags.containsKey(Option.API_KEY_FILE)) {
            throw new UsageException("give " + Option.API_KEY.flag() + " or " + Option.API_KEY_FILE.flag() + ", not both");
        }
        if (flags.containsKey(Option.API_KEY) || flags.containsKey(Option.API_KEY_FILE)) {
            // a key given on the command line wins over both environment variables
            env = withoutKeys(env, Option.API_KEY.envVar(), Option.API_KEY_FILE.envVar());
        }
        Map<Option, Setting> settings = new EnumMap<>(Option.class);
        flags.forEach((option, value) -> settings.put(option, Setting.flag(value)));
        Map<Option, Setting> fromEnv = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            String value = env.get(option.envVar());
            if (value != null && !value.isEmpty()) {
                fromEnv.put(option, Setting.env(option.envVar(), value));
            }
        }
        below(settings, fromEnv);
        ConfigFile.Location file = ConfigFile.locate(settings.get(Option.CONFIG), env);
        if (file.path().isPresent()) {
            below(settings, ConfigFile.read(file.path().get(), file.shown()));
        }
        Map<Option, String> given = new EnumMap<>(Option.class);
        settings.forEach((option, setting) -> given.put(option, setting.value()));
        Config config;
        try {
            config = toConfig(given, env);
        } catch (UsageException e) {
            throw pointAtFileLine(e, settings);
        }
        return printConfig ? new PrintConfig(config, ConfigReport.text(settings, file, config)) : new Run(config);
    }

    /**
     * Adds the settings of a lower layer where the higher ones left a gap. The key is one setting
     * in two forms: once a higher layer gave {@code --api-key} or {@code --api-key-file}, neither
     * form is taken from a lower one.
     */
    private static void below(Map<Option, Setting> settings, Map<Option, Setting> lower) {
        boolean keyGiven = settings.containsKey(Option.API_KEY) || settings.containsKey(Option.API_KEY_FILE);
        lower.forEach((option, setting) -> {
            boolean keyForm = option == Option.API_KEY || option == Option.API_KEY_FILE;
            if (!(keyGiven && keyForm)) {
                settings.putIfAbsent(option, setting);
            }
        });
    }

    /** A bad value read from a config file names the file and line, since the flag is nowhere to be seen. */
    private static UsageException pointAtFileLine(UsageException e, Map<Option, Setting> settings) {
        for (Map.Entry<Option, Setting> s : settings.entrySet()) {
            if (s.getValue().file() && e.getMessage().startsWith(s.getKey().flag() + " ")) {
                return new UsageException(e.getMessage() + " (" + s.getValue().source() + ")");
            }
        }
        return e;
    }

    private static Map<String, String> withoutKeys(Map<String, String> env, String... names) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        for (String name : names) {
            copy.remove(name);
        }
        return copy;
    }

    private static Config toConfig(Map<Option, String> given, Map<String, String> env) throws UsageException {
        String host = given.getOrDefault(Option.HOST, Config.DEFAULT_HOST);
        int port = intIn(given, Option.PORT, Config.DEFAULT_PORT, 0, 65535);
        String claude = given.getOrDefault(Option.CLAUDE, Config.DEFAULT_CLAUDE);
        if (claude.isBlank()) {
            throw new UsageException(Option.CLAUDE.flag() + " must not be empty");
        }
        Optional<Path> cwd = Optional.empty();
        if (given.containsKey(Option.CWD)) {
            cwd = Optional.of(directory(Option.CWD, given.get(Option.CWD)));
        }
        int maxConcurrent = intIn(given, Option.MAX_CONCURRENT, Config.DEFAULT_MAX_CONCURRENT, 1, 10_000);
        int maxQueue = intIn(given, Option.MAX_QUEUE, Config.DEFAULT_MAX_QUEUE, 0, 100_000);
        Duration queueTimeout = duration(given, Option.QUEUE_TIMEOUT, Config.DEFAULT_QUEUE_TIMEOUT);
        Config.Reuse defaults = Config.DEFAULT_REUSE;
        Config.Reuse reuse = new Config.Reuse(
                intIn(given, Option.WARM, defaults.warm(), 0, 64),
                intIn(given, Option.WARM_KEYS, defaults.warmKeys(), 1, 64),
                duration(given, Option.WARM_IDLE, defaults.warmIdle()),
                intIn(given, Option.LIVE, defaults.live(), 0, 1000),
                duration(given, Option.LIVE_IDLE, defaults.liveIdle()),
                duration(given, Option.TOOL_HOLD, defaults.toolHold()));
        Duration timeout = duration(given, Option.TIMEOUT, Config.DEFAULT_TIMEOUT);
        Duration firstEvent = duration(given, Option.FIRST_EVENT_TIMEOUT, Config.DEFAULT_FIRST_EVENT_TIMEOUT);
        Duration idle = duration(given, Option.IDLE_TIMEOUT, Config.DEFAULT_IDLE_TIMEOUT);
        Duration keepAlive = duration(given, Option.KEEP_ALIVE, Config.DEFAULT_KEEP_ALIVE);
        int retries = intIn(given, Option.CLI_MAX_RETRIES, Config.DEFAULT_CLI_MAX_RETRIES, 0, 100);
        Config.SystemPrompt systemPrompt = choice(given, Option.SYSTEM_PROMPT, Config.SystemPrompt.APPEND);
        Config.History history = choice(given, Option.HISTORY, Config.History.AUTO);
        List<String> models = list(given.getOrDefault(Option.MODELS, Config.DEFAULT_MODELS));
        if (models.isEmpty()) {
            throw new UsageException(Option.MODELS.flag() + " must name at least one model");
        }
        Map<String, String> modelMap = new java.util.LinkedHashMap<>();
        for (String pair : list(given.getOrDefault(Option.MODEL_MAP, Config.DEFAULT_MODEL_MAP))) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new UsageException(Option.MODEL_MAP.flag() + " takes NAME=MODEL pairs, not '" + pair + "'");
            }
            modelMap.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        int maxN = intIn(given, Option.MAX_N, Config.DEFAULT_MAX_N, 1, 64);
        boolean fetchImages = onOff(given, Option.FETCH_IMAGES);
        Config.Responses responses = new Config.Responses(
                intIn(given, Option.RESPONSES_MAX, Config.DEFAULT_RESPONSES.max(), 0, 1_000_000),
                duration(given, Option.RESPONSES_AGE, Config.DEFAULT_RESPONSES.maxAge()));
        Config.Mode mode = choice(given, Option.MODE, Config.Mode.CHAT);
        Optional<String> tools = Optional.ofNullable(given.get(Option.TOOLS));
        Optional<String> allowedTools = Optional.ofNullable(given.get(Option.ALLOWED_TOOLS));
        Optional<String> permissionMode = Optional.ofNullable(given.get(Option.PERMISSION_MODE));
        if (mode == Config.Mode.CHAT) {
            for (Option agentOnly : new Option[] {Option.TOOLS, Option.ALLOWED_TOOLS, Option.PERMISSION_MODE}) {
                if (given.containsKey(agentOnly)) {
                    throw new UsageException(agentOnly.flag() + " needs --mode agent (chat mode runs the CLI without tools)");
                }
            }
        }
        if (permissionMode.isPresent() && !Config.PERMISSION_MODES.contains(permissionMode.get())) {
            throw new UsageException(Option.PERMISSION_MODE.flag() + " must be one of "
                    + String.join(", ", Config.PERMISSION_MODES) + ", not '" + permissionMode.get() + "'");
        }
        Config.Access access = access(given, host);
        // the CLI (and, in agent mode, every tool it runs) inherits env: it must not see the key
        Map<String, String> cliEnv = withoutKeys(env, Option.API_KEY.envVar());
        return new Config(host, port, claude, cwd, maxConcurrent, maxQueue, queueTimeout, reuse, timeout, firstEvent, idle, keepAlive, retries,
                systemPrompt, history, models, modelMap, maxN, fetchImages, responses, mode, tools, allowedTools, permissionMode, cliEnv,
                access, new Config.Connections(
                        duration(given, Option.REQUEST_TIMEOUT, Config.DEFAULT_CONNECTIONS.requestTimeout()),
                        intIn(given, Option.MAX_CONNECTIONS, Config.DEFAULT_CONNECTIONS.max(), 1, 1_000_000),
                        intIn(given, Option.MAX_HEADERS, Config.DEFAULT_CONNECTIONS.maxHeaders(), 10, 10_000),
                        intIn(given, Option.MAX_HEADER_BYTES, Config.DEFAULT_CONNECTIONS.maxHeaderBytes(), 4096, 16 * 1024 * 1024)),
                new Config.Logging(logLevel(given), choice(given, Option.LOG_FORMAT, Config.DEFAULT_LOGGING.format()),
                        onOff(given, Option.LOG_BODIES)));
    }

    /**
     * The API key (flag, then {@code --api-key-file}, each also from the environment) and the
     * CORS origins; refuses a non-loopback bind without a key unless {@code --allow-unauthenticated}.
     * No message here ever contains the key.
     */
    private static Config.Access access(Map<Option, String> given, String host) throws UsageException {
        Optional<Config.ApiKey> key = Optional.empty();
        if (given.containsKey(Option.API_KEY)) {
            String text = given.get(Option.API_KEY).strip();
            if (text.isEmpty()) {
                throw new UsageException(Option.API_KEY.flag() + " must not be empty");
            }
            key = Optional.of(new Config.ApiKey(text));
        } else if (given.containsKey(Option.API_KEY_FILE)) {
            key = Optional.of(keyFromFile(given.get(Option.API_KEY_FILE)));
        }
        boolean allowOpen = onOff(given, Option.ALLOW_UNAUTHENTICATED);
        if (key.isEmpty() && !allowOpen && !isLoopback(host)) {
            throw new UsageException("--host " + host + " is reachable from other machines but no API key is set: give "
                    + Option.API_KEY.flag() + " or " + Option.API_KEY_FILE.flag() + " (or " + Option.API_KEY.envVar()
                    + "), or pass " + Option.ALLOW_UNAUTHENTICATED.flag() + " to serve anyone who can connect");
        }
        List<String> origins = List.of();
        String cors = given.get(Option.CORS_ORIGINS);
        if (cors != null && !cors.strip().equalsIgnoreCase("off")) {
            origins = list(cors);
            if (origins.isEmpty()) {
                throw new UsageException(Option.CORS_ORIGINS.flag() + " must name at least one origin, or *");
            }
            for (String origin : origins) {
                if (!origin.equals("*") && !isOrigin(origin)) {
                    throw new UsageException(Option.CORS_ORIGINS.flag() + " takes origins such as https://app.example"
                            + " or http://localhost:3000 (scheme, host, optional port; no path), not '" + origin + "'");
                }
            }
        }
        return new Config.Access(key, origins);
    }

    private static Config.ApiKey keyFromFile(String text) throws UsageException {
        String flag = Option.API_KEY_FILE.flag();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(text), java.nio.charset.StandardCharsets.UTF_8);
        } catch (InvalidPathException | java.io.IOException e) {
            throw new UsageException(flag + " '" + text + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String first = lines.isEmpty() ? "" : lines.get(0).strip();
        if (first.isEmpty()) {
            throw new UsageException(flag + " '" + text + "' has no key on its first line");
        }
        return new Config.ApiKey(first);
    }

    /**
     * Whether {@code host} only accepts connections from this machine: {@code localhost} or a
     * loopback literal. A name is resolved; one that does not resolve counts as reachable.
     */
    static boolean isLoopback(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return java.net.InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /** {@code scheme://host[:port]}, as browsers send it in {@code Origin}. */
    private static boolean isOrigin(String text) {
        try {
            java.net.URI uri = new java.net.URI(text);
            return uri.getScheme() != null && uri.getHost() != null && uri.getRawUserInfo() == null
                    && uri.getRawPath().isEmpty() && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static boolean onOff(Map<Option, String> given, Option option) throws UsageException {
        String text = given.getOrDefault(option, "off").strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new UsageException(option.flag() + " must be on or off, not '" + given.get(option) + "'");
        };
    }

    /** The five levels of {@link System.Logger.Level} a person means (not ALL or OFF). */
    private static System.Logger.Level logLevel(Map<Option, String> given) throws UsageException {
        String text = given.get(Option.LOG_LEVEL);
        if (text == null) {
            return Config.DEFAULT_LOGGING.level();
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> System.Logger.Level.ERROR;
            case "warning" -> System.Logger.Level.WARNING;
            case "info" -> System.Logger.Level.INFO;
            case "debug" -> System.Logger.Level.DEBUG;
            case "trace" -> System.Logger.Level.TRACE;
            default -> throw new UsageException(Option.LOG_LEVEL.flag() + " must be one of error, warning, info, debug,"
                    + " trace, not '" + text + "'");
        };
    }

    private static List<String> list(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    private static Duration duration(Map<Option, String> given, Option option, Duration fallback) throws UsageException {
        return given.containsKey(option) ? positiveDuration(option, given.get(option)) : fallback;
    }

    /** One of an enum's constants, named in lower case on the command line. */
    private static <E extends Enum<E>> E choice(Map<Option, String> given, Option option, E fallback)
            throws UsageException {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E e : fallback.getDeclaringClass().getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT);
            if (name.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
            names.add(name);
        }
        throw new UsageException(option.flag() + " must be one of " + String.join(", ", names) + ", not '" + text + "'");
    }

    private static int intIn(Map<Option, String> given, Option option, int fallback, int min, int max)
            throws UsageException {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(
                option.flag() + " must be a whole number from " + min + " to " + max + ", not '" + text + "'");
    }

    /** Accepts {@code 90} (seconds), {@code 90s}, {@code 1500ms}, {@code 5m}, {@code 1h} and ISO-8601 {@code PT5M}. */
    static Duration positiveDuration(Option option, String text) throws UsageException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d = null;
        Matcher m = SIMPLE_DURATION.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            } else if (t.startsWith("pt")) {
                d = Duration.parse(t);
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            d = null;
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw new UsageException(option.flag() + " must be a positive duration such as 90s or 5m, not '" + text + "'");
        }
        return d;
    }

    private static Path directory(Option option, String text) throws UsageException {
        try {
            Path p = Path.of(text).toAbsolutePath().normalize();
            if (!Files.isDirectory(p)) {
                throw new UsageException(option.flag() + " '" + text + "' is not a directory");
            }
            return p;
        } catch (InvalidPathException e) {
            throw new UsageException(option.flag() + " '" + text + "' is not a valid path");
        }
    }

    /** The {@code --help} text: every option with its environment variable and default. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: claude-proxy [OPTIONS]\n\n")
          .append("Serves the Anthropic Messages and OpenAI Chat Completions APIs on top of the Claude Code CLI.\n\n")
          .append("Options (a flag wins over its environment variable, which wins over the config file,\n")
          .append("which wins over the default):\n");
        for (Option o : Option.values()) {
            sb.append(String.format("  %-26s %s%n", (o.flag() + " " + o.metavar()).strip(), o.help()));
            sb.append(String.format("  %-26s env %s, default: %s%n", "", o.envVar(), o.defaultText()));
        }
        sb.append(String.format("  %-26s %s%n", "--help", "print this help and exit"));
        sb.append(String.format("  %-26s %s%n", "--version", "print the version and exit"));
        sb.append(String.format("  %-26s %s%n", "--print-config",
                "print every setting, its value and where it came from (key masked), and exit"));
        return sb.toString();
    }
}
