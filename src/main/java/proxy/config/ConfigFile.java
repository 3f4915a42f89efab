package proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dotenv file of settings: {@code CLAUDE_PROXY_PORT=9000} lines named like the environment
 * variables, with {@code #} comments, blank lines, an optional {@code export } in front and an
 * optional pair of single or double quotes around the value. No escapes, no {@code $VAR}
 * expansion, no multi-line values: what is between the quotes is the value. An unquoted value
 * ends at a {@code #} that follows a blank (so {@code 9000 # the usual} is {@code 9000}). A later
 * line for the same name wins. Every problem is a {@link UsageException} that names the file and
 * line, and never quotes the line, which may hold the API key.
 */
final class ConfigFile {

    /** Where the file is read from when neither {@code --config} nor its variable names one. */
    static final String DEFAULT_NAME = "claude-proxy/config.env";

    private static final Pattern ASSIGNMENT =
            Pattern.compile("(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)");
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");

    private ConfigFile() {}

    /**
     * Which file is read, if any, and why.
     *
     * @param path   the file to read; empty = none
     * @param shown  how messages and {@code --print-config} name it: as given, or the default path
     * @param source {@code flag}, {@code env CLAUDE_PROXY_CONFIG} or {@code default}
     */
    record Location(Optional<Path> path, String shown, String source) {}

    /**
     * The file {@code --config} (or its variable) names, which must exist, else the default file
     * if it exists, else none.
     */
    static Location locate(Setting given, Map<String, String> env) throws UsageException {
        if (given != null) {
            if (given.value().isBlank()) {
                throw new UsageException(Option.CONFIG.flag() + " must not be empty");
            }
            try {
                return new Location(Optional.of(Path.of(given.value())), given.value(), given.source());
            } catch (InvalidPathException e) {
                throw new UsageException(Option.CONFIG.flag() + " '" + given.value() + "' is not a valid path");
            }
        }
        Optional<Path> fallback = defaultPath(env);
        if (fallback.isPresent() && Files.exists(fallback.get())) {
            return new Location(fallback, fallback.get().toString(), "default");
        }
        return new Location(Optional.empty(), fallback.map(p -> "none (no " + p + ")").orElse("none"), "default");
    }

    /**
     * {@code $XDG_CONFIG_HOME/claude-proxy/config.env}, else {@code $HOME/.config/claude-proxy/config.env},
     * from {@code env}; empty when neither variable is usable. A relative XDG_CONFIG_HOME is ignored,
     * as the XDG base directory spec says.
     */
    static Optional<Path> defaultPath(Map<String, String> env) {
        try {
            String xdg = env.get("XDG_CONFIG_HOME");
            if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
                return Optional.of(Path.of(xdg).resolve(DEFAULT_NAME));
            }
            String home = env.get("HOME");
            if (home != null && !home.isEmpty()) {
                return Optional.of(Path.of(home, ".config").resolve(DEFAULT_NAME));
            }
        } catch (InvalidPathException e) {
            // an unusable variable: as if unset
        }
        return Optional.empty();
    }

    /** Reads {@code file} (named {@code shown} in messages) into one setting per option. */
    static Map<Option, Setting> read(Path file, String shown) throws UsageException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("config file '" + shown + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Map<Option, Setting> settings = new EnumMap<>(Option.class);
        for (int i = 0; i < lines.size(); i++) {
            String where = shown + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip(); // a byte order mark some editors write
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = ASSIGNMENT.matcher(line);
            if (!m.matches()) {
                throw new UsageException(where + ": expected NAME=value");
            }
            Option option = byEnvVar(m.group(1));
            if (option == null) {
                throw new UsageException(where + ": unknown name '" + m.group(1) + "' (the names are the environment"
                        + " variables --help lists)");
            }
            if (option == Option.CONFIG) {
                throw new UsageException(where + ": " + Option.CONFIG.envVar() + " cannot be set in a config file");
            }
            settings.put(option, Setting.file(where, value(m.group(2), where)));
        }
        return settings;
    }

    private static String value(String text, String where) throws UsageException {
        if (text.startsWith("\"") || text.startsWith("'")) {
            char quote = text.charAt(0);
            int end = text.indexOf(quote, 1);
            if (end < 0) {
                throw new UsageException(where + ": the closing " + quote + " is missing");
            }
            String rest = text.substring(end + 1).strip();
            if (!rest.isEmpty() && !rest.startsWith("#")) {
                throw new UsageException(where + ": only a # comment may follow the quoted value");
            }
            return text.substring(1, end);
        }
        Matcher comment = INLINE_COMMENT.matcher(text);
        return (comment.find() ? text.substring(0, comment.start()) : text).strip();
    }

    private static Option byEnvVar(String name) {
        for (Option o : Option.values()) {
            if (o.envVar().equals(name)) {
                return o;
            }
        }
        return null;
    }
}
