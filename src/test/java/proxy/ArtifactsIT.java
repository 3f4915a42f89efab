package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import proxy.config.Option;

/**
 * The shipped artifacts, run after {@code package}: {@code java -jar target/proxy.jar} and the
 * jlink image built by {@code ./run.sh image}, the same command the Dockerfile runs.
 */
class ArtifactsIT {

    private static final Path PROJECT = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath();
    private static final Path LAUNCHER = PROJECT.resolve("target/image/bin/claude-proxy");

    @BeforeAll
    static void buildImage() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(List.of("bash", PROJECT.resolve("run.sh").toString(), "image"), Map.of());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(Files.isExecutable(LAUNCHER), "run.sh image made " + LAUNCHER);
    }

    private static List<String> jar(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.java(), "-jar", PROJECT.resolve("target/proxy.jar").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static List<String> image(String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void jarPrintsHelp() throws Exception {
        assertHelp(ProxyProcess.run(jar("--help"), Map.of()));
    }

    @Test
    void imagePrintsHelp() throws Exception {
        assertHelp(ProxyProcess.run(image("--help"), Map.of()));
    }

    @Test
    void jarServesHealth() throws Exception {
        assertServesHealthAndStops(jar("--port", "0", "--claude", FakeCli.SCRIPT.toString()));
    }

    /**
     * jlink's own {@code --launcher} script runs java as a child of sh: SIGTERM stopped the
     * shell with 143 and left the JVM running, with no "stopped" line. The "stopped" line proves
     * the signal reached the JVM.
     */
    @Test
    void imageServesHealth() throws Exception {
        assertServesHealthAndStops(image("--port", "0", "--claude", FakeCli.SCRIPT.toString()));
    }

    @Test
    void imageHoldsOnlyWhatItNeeds() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(List.of(PROJECT.resolve("target/image/bin/java").toString(), "--list-modules"),
                Map.of());
        assertEquals(0, r.exitCode());
        List<String> modules = r.stdout().lines().map(l -> l.replaceAll("@.*", "")).sorted().toList();
        assertEquals(List.of("com.fasterxml.jackson.core", "java.base", "java.net.http", "jdk.httpserver", "proxy"), modules);
    }

    private static void assertHelp(ProxyProcess.Result r) {
        assertEquals(0, r.exitCode(), r.stderr());
        for (Option o : Option.values()) {
            assertTrue(r.stdout().contains(o.flag()) && r.stdout().contains(o.envVar()), o.flag());
        }
    }

    private static void assertServesHealthAndStops(List<String> command) throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(command, Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(proxy.uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"version\":\"2.1.331 (Claude Code)\""), r.body());
            ProxyProcess.Result end = proxy.terminate();
            assertEquals(143, end.exitCode());
            assertTrue(end.stderr().contains("claude-proxy stopped"), end.stderr());
        }
    }
}
