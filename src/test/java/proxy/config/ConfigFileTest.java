package proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --config FILE} and the default config file, below flags and environment. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static Config parse(Map<String, String> env, String... args) throws UsageException {
        return assertInstanceOf(Args.Run.class, Args.parse(args, env)).config();
    }

    private static String error(Map<String, String> env, String... args) {
        return assertThrows(UsageException.class, () -> Args.parse(args, env)).getMessage();
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = write("c.env", """
                CLAUDE_PROXY_MAX_CONCURRENT=3
                CLAUDE_PROXY_TIMEOUT=5m
                CLAUDE_PROXY_PORT=9000
                """);
        Map<String, String> env = Map.of("CLAUDE_PROXY_MAX_CONCURRENT", "4", "CLAUDE_PROXY_TIMEOUT", "1m");
        Config c = parse(env, "--config", file.toString(), "--max-concurrent", "5");
        assertEquals(5, c.maxConcurrent(), "flag over environment and file");
        assertEquals(Duration.ofMinutes(1), c.timeout(), "environment over file");
        assertEquals(9000, c.port(), "file over default");
        assertEquals(Config.DEFAULT_MAX_QUEUE, c.maxQueue(), "default where nobody says");
    }

    @Test
    void commentsBlankLinesExportAndQuotes() throws Exception {
        Path file = write("c.env", """
                # a comment

                   # an indented comment
                export CLAUDE_PROXY_PORT=9001
                CLAUDE_PROXY_HOST = "::1"
                CLAUDE_PROXY_CLAUDE='/opt/my claude' # where it lives
                CLAUDE_PROXY_MODELS=opus, sonnet # trailing comment
                CLAUDE_PROXY_API_KEY="k#1 'x'"
                export   CLAUDE_PROXY_MAX_N='2'
                CLAUDE_PROXY_MAX_N=3
                """);
        Config c = parse(Map.of(), "--config=" + file);
        assertEquals(9001, c.port());
        assertEquals("::1", c.host());
        assertEquals("/opt/my claude", c.claude());
        assertEquals(List.of("opus", "sonnet"), c.models());
        assertEquals("k#1 'x'", c.access().apiKey().orElseThrow().value(), "a # inside quotes is part of the value");
        assertEquals(3, c.maxN(), "a later line wins");
    }

    @Test
    void unknownNameAndBadLinesNameTheFileAndLine() throws Exception {
        Path unknown = write("unknown.env", "# ok\nCLAUDE_PROXY_PORT=1\nCLAUDE_PROXY_PROT=2\n");
        assertEquals(unknown + ":3: unknown name 'CLAUDE_PROXY_PROT' (the names are the environment variables --help lists)",
                error(Map.of(), "--config", unknown.toString()));
        Path bare = write("bare.env", "\nPORT=1\n");
        assertTrue(error(Map.of(), "--config", bare.toString()).startsWith(bare + ":2: unknown name 'PORT'"));
        Path noEquals = write("noequals.env", "CLAUDE_PROXY_API_KEY sekrit\n");
        String message = error(Map.of(), "--config", noEquals.toString());
        assertEquals(noEquals + ":1: expected NAME=value", message);
        assertFalse(message.contains("sekrit"), "a bad line may hold the key: it is never quoted");
        Path open = write("open.env", "CLAUDE_PROXY_HOST=::1\nCLAUDE_PROXY_API_KEY=\"sekrit\n");
        assertEquals(open + ":2: the closing \" is missing", error(Map.of(), "--config", open.toString()));
        Path after = write("after.env", "CLAUDE_PROXY_HOST='::1' x\n");
        assertEquals(after + ":1: only a # comment may follow the quoted value", error(Map.of(), "--config", after.toString()));
        Path nested = write("nested.env", "CLAUDE_PROXY_CONFIG=/etc/other.env\n");
        assertEquals(nested + ":1: CLAUDE_PROXY_CONFIG cannot be set in a config file",
                error(Map.of(), "--config", nested.toString()));
    }

    @Test
    void aBadValueFromTheFileNamesTheLine() throws Exception {
        Path file = write("c.env", "\n\nCLAUDE_PROXY_PORT=eighty\n");
        assertEquals("--port must be a whole number from 0 to 65535, not 'eighty' (file " + file + ":3)",
                error(Map.of(), "--config", file.toString()));
    }

    @Test
    void aMissingNamedFileIsAnErrorAMissingDefaultFileIsNot() throws Exception {
        String missing = dir.resolve("missing.env").toString();
        assertEquals("config file '" + missing + "' cannot be read (NoSuchFileException)",
                error(Map.of(), "--config", missing));
        assertEquals("config file '" + missing + "' cannot be read (NoSuchFileException)",
                error(Map.of("CLAUDE_PROXY_CONFIG", missing)));
        assertEquals("--config must not be empty", error(Map.of(), "--config="));
        assertEquals(Config.DEFAULT_PORT, parse(Map.of("HOME", dir.toString(), "XDG_CONFIG_HOME", dir.resolve("x").toString()))
                .port());
    }

    @Test
    void theEnvironmentMayNameTheFile() throws Exception {
        Path file = write("c.env", "CLAUDE_PROXY_PORT=9002\n");
        Path other = write("other.env", "CLAUDE_PROXY_PORT=9003\n");
        assertEquals(9002, parse(Map.of("CLAUDE_PROXY_CONFIG", file.toString())).port());
        assertEquals(9003, parse(Map.of("CLAUDE_PROXY_CONFIG", file.toString()), "--config", other.toString()).port());
    }

    @Test
    void defaultFileUnderXdgConfigHomeElseHome() throws Exception {
        write("xdg/claude-proxy/config.env", "CLAUDE_PROXY_PORT=9004\n");
        write("home/.config/claude-proxy/config.env", "CLAUDE_PROXY_PORT=9005\n");
        String xdg = dir.resolve("xdg").toString();
        String home = dir.resolve("home").toString();
        assertEquals(9004, parse(Map.of("XDG_CONFIG_HOME", xdg, "HOME", home)).port());
        assertEquals(9005, parse(Map.of("HOME", home)).port());
        assertEquals(9005, parse(Map.of("XDG_CONFIG_HOME", "relative/dir", "HOME", home)).port(),
                "a relative XDG_CONFIG_HOME is ignored");
        assertEquals(9006, parse(Map.of("HOME", home), "--port", "9006").port());
        Path named = write("named.env", "CLAUDE_PROXY_MAX_N=2\n");
        Config c = parse(Map.of("HOME", home), "--config", named.toString());
        assertEquals(Config.DEFAULT_PORT, c.port(), "--config replaces the default file, not adds to it");
    }

    @Test
    void aKeyFromAHigherLayerWinsOverBothKeyFormsBelowIt() throws Exception {
        Path keyFile = write("key", "from-key-file\n");
        Path file = write("c.env", "CLAUDE_PROXY_API_KEY=from-config-file\n");
        assertEquals("from-config-file", parse(Map.of(), "--config", file.toString()).access().apiKey().orElseThrow().value());
        assertEquals("from-key-file", parse(Map.of("CLAUDE_PROXY_API_KEY_FILE", keyFile.toString()), "--config", file.toString())
                .access().apiKey().orElseThrow().value());
        assertEquals("from-flag", parse(Map.of(), "--config", file.toString(), "--api-key", "from-flag")
                .access().apiKey().orElseThrow().value());
    }

    @Test
    void loggingSettings() throws Exception {
        assertEquals(Config.DEFAULT_LOGGING, parse(Map.of()).logging());
        assertEquals(new Config.Logging(Level.INFO, Config.LogFormat.TEXT, false), Config.DEFAULT_LOGGING);
        Path file = write("c.env", "CLAUDE_PROXY_LOG_FORMAT=json\nCLAUDE_PROXY_LOG_LEVEL=trace\n");
        assertEquals(new Config.Logging(Level.DEBUG, Config.LogFormat.JSON, true),
                parse(Map.of(), "--config", file.toString(), "--log-level", "DEBUG", "--log-bodies").logging());
        assertEquals(Level.ERROR, parse(Map.of("CLAUDE_PROXY_LOG_LEVEL", "error")).logging().level());
        assertEquals(Level.WARNING, parse(Map.of(), "--log-level=warning").logging().level());
        assertEquals("--log-level must be one of error, warning, info, debug, trace, not 'all'",
                error(Map.of(), "--log-level", "all"));
        assertEquals("--log-format must be one of text, json, not 'xml'", error(Map.of(), "--log-format", "xml"));
    }

    @Test
    void printConfigShowsEverySettingItsSourceAndNeverTheKey() throws Exception {
        String key = "sk-0123456789abcdef0123456789abcd";
        Path file = write("home/.config/claude-proxy/config.env", "\nCLAUDE_PROXY_PORT=9000\nCLAUDE_PROXY_API_KEY=" + key + "\n");
        Map<String, String> env = new HashMap<>(Map.of("HOME", dir.resolve("home").toString(), "CLAUDE_PROXY_TIMEOUT", "5m"));
        Args.Parsed parsed = Args.parse(new String[] {"--print-config", "--log-format", "json"}, env);
        Args.PrintConfig print = assertInstanceOf(Args.PrintConfig.class, parsed);
        String text = print.text();
        assertFalse(text.contains(key), text);
        assertFalse(text.contains("sk-0123"), text);
        List<String> lines = text.lines().toList();
        assertEquals(Option.values().length, lines.size(), text);
        assertTrue(lines.contains(String.format("%-24s %s  (%s)", "--config", file, "default")), text);
        assertTrue(lines.contains(String.format("%-24s 9000  (file %s:2)", "--port", file)), text);
        assertTrue(lines.contains(String.format("%-24s (set, 33 chars)  (file %s:3)", "--api-key", file)), text);
        assertTrue(lines.contains(String.format("%-24s 5m  (env CLAUDE_PROXY_TIMEOUT)", "--timeout")), text);
        assertTrue(lines.contains(String.format("%-24s json  (flag)", "--log-format")), text);
        assertTrue(lines.contains(String.format("%-24s 127.0.0.1  (default)", "--host")), text);
        assertTrue(lines.contains(String.format("%-24s %s  (default)", "--model-map", Config.DEFAULT_MODEL_MAP)), text);
        assertEquals(9000, print.config().port());
    }

    @Test
    void printConfigWithoutAFileSaysWhereItLooked() throws Exception {
        String text = ((Args.PrintConfig) Args.parse(new String[] {"--print-config"}, Map.of("HOME", dir.toString()))).text();
        Path looked = dir.resolve(".config/claude-proxy/config.env");
        assertTrue(text.startsWith(String.format("%-24s none (no %s)  (default)%n", "--config", looked)), text);
    }

    @Test
    void printConfigChecksTheConfiguration() {
        assertEquals("--port must be a whole number from 0 to 65535, not 'x'", error(Map.of(), "--print-config", "--port", "x"));
    }
}
