package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.config.ExitCode;
import proxy.log.LogSinkTest;

/** {@code Main} as a subprocess: start, serve, stop on SIGTERM, and the exit codes. */
class MainProcessTest {

    private static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.java(), "-cp", System.getProperty("java.class.path"),
                "proxy.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void startsServesHealthAndStopsCleanlyOnSigterm() throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main("--port", "0", "--claude", FakeCli.SCRIPT.toString()), Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(proxy.uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"ok\":true"), health.body());

            ProxyProcess.Result end = proxy.terminate();
            assertEquals(128 + 15, end.exitCode(), "the JVM's exit status for SIGTERM");
            assertTrue(end.stderr().contains("claude-proxy stopped"), end.stderr());
            assertFalse(end.stderr().contains("Exception"), end.stderr());

            Matcher dir = Pattern.compile("CLI working directory: (\\S+) \\(private\\)").matcher(end.stderr());
            assertTrue(dir.find(), end.stderr());
            assertFalse(Files.exists(Path.of(dir.group(1))), "the private working directory is removed at exit");
        }
    }

    @Test
    void badFlagIsOneLineAndTheUsageExitCode() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "abc"), Map.of());
        assertEquals(ExitCode.USAGE.value(), r.exitCode());
        assertEquals("claude-proxy: --port must be a whole number from 0 to 65535, not 'abc' (see --help)\n", r.stderr());
        assertEquals("", r.stdout());
    }

    @Test
    void portInUseIsCannotStart() throws Exception {
        try (TestServer taken = TestServer.start(Map.of())) {
            ProxyProcess.Result r = ProxyProcess.run(
                    main("--port", Integer.toString(taken.server().port()), "--claude", FakeCli.SCRIPT.toString()), Map.of());
            assertEquals(ExitCode.CANNOT_START.value(), r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("claude-proxy: cannot listen on 127.0.0.1:" + taken.server().port()), r.stderr());
        }
    }

    /** A log collector reads stderr line by line: with {@code --log-format json}, every line must be a JSON record. */
    @Test
    void logFormatJsonMakesEveryStderrLineAJsonRecord(@TempDir Path config) throws Exception {
        Map<String, String> noConfigFile = Map.of("XDG_CONFIG_HOME", config.toString());
        try (ProxyProcess proxy = ProxyProcess.start(
                main("--port", "0", "--claude", FakeCli.SCRIPT.toString(), "--log-format", "json"), noConfigFile)) {
            ProxyProcess.Result end = proxy.terminate();
            List<String> lines = end.stderr().lines().toList();
            assertTrue(lines.size() >= 2, end.stderr());
            List<String> messages = new ArrayList<>();
            for (String line : lines) {
                Map<String, String> record = LogSinkTest.fields(line);
                assertTrue(record.get("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
                assertTrue(record.get("logger").startsWith("proxy."), line);
                assertTrue(List.of("ERROR", "WARNING", "INFO").contains(record.get("level")), line);
                messages.add(record.get("message"));
            }
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("CLI working directory: ")), end.stderr());
            assertTrue(messages.contains("claude-proxy stopped"), end.stderr());
        }
    }

    @Test
    void printConfigPrintsTheSettingsAndStartsNothing(@TempDir Path config) throws Exception {
        Path file = Files.createDirectories(config.resolve("claude-proxy")).resolve("config.env");
        Files.writeString(file, "CLAUDE_PROXY_PORT=1\nCLAUDE_PROXY_API_KEY='sekrit-sekrit'\n");
        ProxyProcess.Result r = ProxyProcess.run(main("--print-config", "--max-n", "2"),
                Map.of("XDG_CONFIG_HOME", config.toString(), "CLAUDE_PROXY_LIVE", "0"));
        assertEquals(ExitCode.OK.value(), r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
        assertTrue(r.stdout().contains("--port                   1  (file " + file + ":1)\n"), r.stdout());
        assertTrue(r.stdout().contains("--api-key                (set, 13 chars)  (file " + file + ":2)\n"), r.stdout());
        assertTrue(r.stdout().contains("--live                   0  (env CLAUDE_PROXY_LIVE)\n"), r.stdout());
        assertTrue(r.stdout().contains("--max-n                  2  (flag)\n"), r.stdout());
        assertFalse(r.stdout().contains("sekrit"), r.stdout());
        assertFalse(r.stdout().contains("listening"), r.stdout());
    }

    @Test
    void aBadConfigFileLineIsTheUsageExitCode(@TempDir Path config) throws Exception {
        Path file = Files.writeString(config.resolve("bad.env"), "# fine\nCLAUDE_PROXY_NO_SUCH=1\n");
        ProxyProcess.Result r = ProxyProcess.run(main("--config", file.toString()), Map.of());
        assertEquals(ExitCode.USAGE.value(), r.exitCode());
        assertTrue(r.stderr().startsWith("claude-proxy: " + file + ":2: unknown name 'CLAUDE_PROXY_NO_SUCH'"), r.stderr());
    }

    /**
     * A CLI that cannot run stops start-up with one line and its own exit code, before the
     * server listens: the proxy used to start and then fail every request.
     */
    @Test
    void missingCliStopsStartUp(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-such-claude");
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "0", "--claude", missing.toString()), Map.of());
        assertEquals(ExitCode.CLI_MISSING.value(), r.exitCode(), r.stderr());
        assertEquals("claude-proxy: the CLI '" + missing + "' does not exist or is not executable"
                + " (./run.sh installs the tested version)\n", r.stderr());
        assertEquals("", r.stdout());
    }

    @Test
    void cliNotOnPathStopsStartUp() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "0", "--claude", "claude-nowhere"), Map.of("PATH", "/nonexistent"));
        assertEquals(ExitCode.CLI_MISSING.value(), r.exitCode(), r.stderr());
        assertEquals("claude-proxy: 'claude-nowhere' was not found on PATH; install Claude Code or pass --claude"
                + " (./run.sh installs the tested version)\n", r.stderr());
    }

    @Test
    void cliThatIsNotExecutableStopsStartUp(@TempDir Path tmp) throws Exception {
        Path script = Files.writeString(tmp.resolve("claude"), "#!/bin/sh\necho '2.1.331 (Claude Code)'\n");
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "0", "--claude", script.toString()), Map.of());
        assertEquals(ExitCode.CLI_MISSING.value(), r.exitCode(), r.stderr());
        assertEquals("claude-proxy: the CLI '" + script + "' is not executable (./run.sh installs the tested version)\n",
                r.stderr());
    }

    @Test
    void cliWhoseVersionFailsStopsStartUp(@TempDir Path tmp) throws Exception {
        Path script = executable(tmp.resolve("claude"), "#!/bin/sh\necho 'cannot load' >&2\nexit 3\n");
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "0", "--claude", script.toString()), Map.of());
        assertEquals(ExitCode.CLI_MISSING.value(), r.exitCode(), r.stderr());
        assertEquals("claude-proxy: the Claude CLI '" + script + "' does not work: 'claude --version' exited with 3: cannot load\n",
                r.stderr());
    }

    @Test
    void cliTooOldStopsStartUp(@TempDir Path tmp) throws Exception {
        Path script = executable(tmp.resolve("claude"), "#!/bin/sh\necho '1.0.0 (Claude Code)'\n");
        ProxyProcess.Result r = ProxyProcess.run(main("--port", "0", "--claude", script.toString()), Map.of());
        assertEquals(ExitCode.CLI_TOO_OLD.value(), r.exitCode(), r.stderr());
        assertEquals("claude-proxy: the Claude CLI '" + script + "': the CLI is version 1.0.0, older than 2.1.197, the oldest"
                + " that takes the flags the proxy passes; update it ('" + script + " update') or let ./run.sh install"
                + " the tested version\n", r.stderr());
        assertEquals("", r.stdout());
    }

    /**
     * No credentials at all: the proxy starts (a login needs no restart), warns on stderr, and
     * /health says so, with what to do in the detailed body.
     */
    @Test
    void cliWithoutCredentialsStartsWithAWarning(@TempDir Path home) throws Exception {
        Map<String, String> none = Map.of("ANTHROPIC_API_KEY", "", "HOME", home.toString());
        try (ProxyProcess proxy = ProxyProcess.start(main("--port", "0", "--claude", FakeCli.SCRIPT.toString()), none);
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(proxy.uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().startsWith("{\"status\":\"no_credentials\""), health.body());
            assertTrue(health.body().contains("\"credentials\":null,\"warning\":\"The Claude CLI has no credentials"),
                    health.body());

            // logging in needs no restart
            Files.writeString(Files.createDirectories(home.resolve(".claude")).resolve(".credentials.json"), "{}");
            HttpResponse<String> after = client.send(HttpRequest.newBuilder(proxy.uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(after.body().startsWith("{\"status\":\"ok\""), after.body());

            String stderr = proxy.terminate().stderr();
            assertTrue(stderr.contains("WARNING proxy.cli.StartupCheck: the Claude CLI has NO CREDENTIALS: every request"
                    + " will fail with 401 until it has. To fix: log the CLI in with '" + FakeCli.SCRIPT + " auth login'"), stderr);
        }
    }

    private static Path executable(Path file, String script) throws Exception {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void helpExitsZero() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(main("--help"), Map.of());
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().startsWith("Usage: claude-proxy [OPTIONS]"), r.stdout());
    }
}
