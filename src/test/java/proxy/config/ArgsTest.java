package proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgsTest {

    private static Config parse(Map<String, String> env, String... args) throws UsageException {
        return assertInstanceOf(Args.Run.class, Args.parse(args, env)).config();
    }

    @Test
    void defaults() throws UsageException {
        Config c = parse(Map.of());
        assertEquals("127.0.0.1", c.host());
        assertEquals(8000, c.port());
        assertEquals("claude", c.claude());
        assertEquals(Optional.empty(), c.cwd());
        assertEquals(8, c.maxConcurrent());
        assertEquals(Duration.ofSeconds(600), c.timeout());
    }

    @Test
    void flagsInBothSpellings(@TempDir Path dir) throws UsageException {
        Config c = parse(Map.of(), "--host", "::1", "--port=0", "--claude", "/opt/claude", "--cwd=" + dir,
                "--max-concurrent", "3", "--timeout", "5m");
        assertEquals("::1", c.host());
        assertEquals(0, c.port());
        assertEquals("/opt/claude", c.claude());
        assertEquals(Optional.of(dir.toAbsolutePath()), c.cwd());
        assertEquals(3, c.maxConcurrent());
        assertEquals(Duration.ofMinutes(5), c.timeout());
    }

    @Test
    void environmentFillsWhatFlagsLeaveOut() throws UsageException {
        Map<String, String> env = Map.of("CLAUDE_PROXY_PORT", "9001", "CLAUDE_PROXY_TIMEOUT", "PT30S",
                "CLAUDE_PROXY_MAX_CONCURRENT", "2");
        Config c = parse(env, "--max-concurrent", "5");
        assertEquals(9001, c.port());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals(5, c.maxConcurrent(), "a flag wins over its environment variable");
        assertEquals(env, c.env(), "the environment is kept for the CLI");
    }

    @Test
    void durations() throws UsageException {
        assertEquals(Duration.ofSeconds(90), Args.positiveDuration(Option.TIMEOUT, "90"));
        assertEquals(Duration.ofSeconds(90), Args.positiveDuration(Option.TIMEOUT, "90s"));
        assertEquals(Duration.ofMillis(1500), Args.positiveDuration(Option.TIMEOUT, "1500ms"));
        assertEquals(Duration.ofHours(1), Args.positiveDuration(Option.TIMEOUT, "1h"));
        assertEquals(Duration.ofMinutes(2), Args.positiveDuration(Option.TIMEOUT, "PT2M"));
    }

    @Test
    void reuseAndAdmission() throws UsageException {
        Config defaults = parse(Map.of());
        assertEquals(Config.DEFAULT_REUSE, defaults.reuse());
        assertEquals(Duration.ofSeconds(30), defaults.queueTimeout());
        assertEquals(1000, defaults.maxQueue());
        Config off = parse(Map.of("CLAUDE_PROXY_LIVE_IDLE", "90s"), "--warm", "0", "--live=0", "--warm-keys", "3",
                "--warm-idle", "1m", "--queue-timeout", "5s", "--tool-hold", "3m");
        assertEquals(new Config.Reuse(0, 3, Duration.ofMinutes(1), 0, Duration.ofSeconds(90), Duration.ofMinutes(3)), off.reuse());
        assertEquals(Duration.ofSeconds(5), off.queueTimeout());
        assertMessage("--warm must be a whole number from 0 to 64, not '-1'", "--warm", "-1");
        assertMessage("--warm-keys must be a whole number from 1 to 64, not '0'", "--warm-keys", "0");
        assertMessage("--live-idle must be a positive duration such as 90s or 5m, not '0'", "--live-idle", "0");
        assertMessage("--tool-hold must be a positive duration such as 90s or 5m, not '0'", "--tool-hold", "0");
    }

    @Test
    void badValuesSayWhatIsWrongInOneLine() {
        assertMessage("unknown option '--prot'", "--prot", "1");
        assertMessage("--port needs a value (N)", "--port");
        assertMessage("--port must be a whole number from 0 to 65535, not '70000'", "--port", "70000");
        assertMessage("--max-concurrent must be a whole number from 1 to 10000, not 'many'", "--max-concurrent", "many");
        assertMessage("--timeout must be a positive duration such as 90s or 5m, not '0s'", "--timeout", "0s");
        assertMessage("--timeout must be a positive duration such as 90s or 5m, not 'soon'", "--timeout", "soon");
        assertMessage("--cwd '/no/such/dir' is not a directory", "--cwd", "/no/such/dir");
        assertMessage("--claude must not be empty", "--claude", "");
    }

    @Test
    void badEnvironmentValueIsAUsageErrorToo() {
        UsageException e = assertThrows(UsageException.class,
                () -> Args.parse(new String[0], Map.of("CLAUDE_PROXY_PORT", "eighty")));
        assertEquals("--port must be a whole number from 0 to 65535, not 'eighty'", e.getMessage());
    }

    @Test
    void helpAndVersionWinOverEverythingElse() throws UsageException {
        assertInstanceOf(Args.Help.class, Args.parse(new String[] {"--port", "1", "--help"}, Map.of()));
        assertInstanceOf(Args.Version.class, Args.parse(new String[] {"--version"}, Map.of()));
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariableAndDefault() {
        String help = Args.help();
        for (Option o : Option.values()) {
            assertTrue(help.contains(o.flag() + " " + o.metavar()), o.flag());
            assertTrue(help.contains("env " + o.envVar() + ", default: " + o.defaultText()), o.envVar());
        }
    }

    @Test
    void noKeyAndNoCorsByDefault() throws UsageException {
        assertEquals(Config.OPEN, parse(Map.of()).access());
    }

    @Test
    void nonLoopbackBindNeedsAKeyOrAllowUnauthenticated() throws UsageException {
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.7"}) {
            UsageException e = assertThrows(UsageException.class, () -> Args.parse(new String[] {"--host", host}, Map.of()));
            assertTrue(e.getMessage().contains("no API key is set") && e.getMessage().contains("--allow-unauthenticated"),
                    e.getMessage());
            assertEquals(host, parse(Map.of(), "--host", host, "--allow-unauthenticated").host());
            assertEquals(host, parse(Map.of("CLAUDE_PROXY_ALLOW_UNAUTHENTICATED", "true"), "--host", host).host());
            assertEquals(host, parse(Map.of(), "--host", host, "--api-key", "k").host());
        }
        for (String host : new String[] {"127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"}) {
            assertEquals(host, parse(Map.of(), "--host", host).host(), "loopback needs no key");
        }
        // a bare switch does not swallow the next flag
        assertEquals(9, parse(Map.of(), "--allow-unauthenticated", "--port", "9").port());
    }

    @Test
    void keyFromFlagEnvironmentOrFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "  from-file \nignored\n");
        assertEquals("from-flag", parse(Map.of("CLAUDE_PROXY_API_KEY", "from-env"), "--api-key", "from-flag")
                .access().apiKey().orElseThrow().value());
        assertEquals("from-env", parse(Map.of("CLAUDE_PROXY_API_KEY", "from-env")).access().apiKey().orElseThrow().value());
        assertEquals("from-file", parse(Map.of(), "--api-key-file", file.toString()).access().apiKey().orElseThrow().value());
        assertEquals("from-file", parse(Map.of("CLAUDE_PROXY_API_KEY", "from-env"), "--api-key-file", file.toString())
                .access().apiKey().orElseThrow().value(), "a flag wins over the environment");
        assertEquals("from-file", parse(Map.of("CLAUDE_PROXY_API_KEY_FILE", file.toString()))
                .access().apiKey().orElseThrow().value());
    }

    @Test
    void badKeySources(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n  \nkey-on-line-two\n");
        String missing = dir.resolve("missing").toString();
        assertTrue(assertThrows(UsageException.class, () -> Args.parse(new String[] {"--api-key-file", missing}, Map.of()))
                .getMessage().startsWith("--api-key-file '" + missing + "' cannot be read"));
        assertMessage("--api-key-file '" + empty + "' has no key on its first line", "--api-key-file", empty.toString());
        assertMessage("--api-key must not be empty", "--api-key=");
        assertMessage("give --api-key or --api-key-file, not both", "--api-key", "k", "--api-key-file", empty.toString());
    }

    @Test
    void theKeyIsNeitherShownNorPassedToTheCli() throws UsageException {
        Config c = parse(Map.of("CLAUDE_PROXY_API_KEY", "sekrit-key", "HOME", "/home/x"));
        assertEquals("sekrit-key", c.access().apiKey().orElseThrow().value());
        assertFalse(c.toString().contains("sekrit-key"), c.toString());
        assertEquals(Map.of("HOME", "/home/x"), c.env(), "the CLI and its tools must not see the key");
        assertFalse(Args.help().contains("sekrit-key"));
        assertTrue(Args.help().contains("--allow-unauthenticated "), Args.help());
    }

    @Test
    void corsOrigins() throws UsageException {
        assertEquals(List.of("https://a.example", "http://localhost:3000"),
                parse(Map.of(), "--cors-origins", "https://a.example, http://localhost:3000").access().corsOrigins());
        assertEquals(List.of("*"), parse(Map.of(), "--cors-origins=*").access().corsOrigins());
        assertEquals(List.of(), parse(Map.of(), "--cors-origins", "off").access().corsOrigins());
        assertTrue(assertThrows(UsageException.class,
                () -> Args.parse(new String[] {"--cors-origins", "https://a.example/"}, Map.of())).getMessage()
                .endsWith("not 'https://a.example/'"));
        assertThrows(UsageException.class, () -> Args.parse(new String[] {"--cors-origins", "a.example"}, Map.of()));
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> Args.parse(args, Map.of()));
        assertEquals(expected, e.getMessage());
    }
}
