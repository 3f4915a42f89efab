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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import proxy.config.ExitCode;

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

    @Test
    void helpExitsZero() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(main("--help"), Map.of());
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().startsWith("Usage: claude-proxy [OPTIONS]"), r.stdout());
    }
}
