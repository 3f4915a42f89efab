package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy process ending with CLIs of every kind about: spare, kept for a next turn, held on
 * a client tool call, and running a stream. Whether it is stopped (SIGTERM) or killed (SIGKILL,
 * no chance to clean up), none of its CLI processes, grandchildren included, outlives it.
 */
class ShutdownTest {

    @TempDir
    Path tmp;

    private static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.java(), "-cp", System.getProperty("java.class.path"),
                "proxy.Main", "--port", "0", "--claude", FakeCli.SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static HttpResponse<String> chat(HttpClient client, ProxyProcess proxy, String text, String tools) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\"," + tools
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Leaves a kept CLI, a held one and a spare, and returns every process under the proxy. */
    private List<ProcessHandle> cliOfEveryKind(HttpClient client, ProxyProcess proxy, boolean grandchild) throws Exception {
        assertEquals(200, chat(client, proxy, "hello fake:grandchild=" + (grandchild ? 1 : 0), "").statusCode(),
                "a CLI kept for the next turn");
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"Bash\"}}],";
        HttpResponse<String> held = chat(client, proxy, "call fake:mode=tools", tools);
        assertEquals(200, held.statusCode(), held.body());
        assertTrue(held.body().contains("\"tool_calls\""), "a CLI held on its call: " + held.body());
        ProcessHandle self = proxy.process().toHandle();
        assertTrue(Processes.waitUntil(() -> self.descendants().count() >= (grandchild ? 4 : 3), Duration.ofSeconds(10)),
                "kept (and its grandchild), held, spare: " + self.descendants().toList());
        return self.descendants().toList();
    }

    private static boolean refused(URI uri) {
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static void assertAllEnd(List<ProcessHandle> processes) {
        assertTrue(Processes.waitUntil(() -> processes.stream().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(10)),
                "still alive: " + processes.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().command()
                        .orElse("")).toList());
    }

    @Test
    void sigkillLeavesNoCli() throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main("--warm", "1", "--live", "4"), Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            // no grandchild: one the CLI started and detached from (its own stdin, stdout, stderr
            // elsewhere) has nothing that tells it the proxy is gone; the CLI itself must see to it
            List<ProcessHandle> clis = cliOfEveryKind(client, proxy, false);
            proxy.process().toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertAllEnd(clis); // stdin EOF, the tool server's socket gone, broken pipes
        }
    }

    @Test
    void sigtermRefusesNewConnectionsEndsAStreamInFlightAndLeavesNoCli() throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main("--warm", "1", "--live", "4"), Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            List<ProcessHandle> clis = new ArrayList<>(cliOfEveryKind(client, proxy, true));
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                                    + "\"slow fake:case=02-stream-json-partial fake:pace=1000\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            clis.addAll(proxy.process().toHandle().descendants().toList());

            proxy.process().destroy(); // SIGTERM: from now on no connection is taken, while the stream runs on
            URI uri = proxy.uri("/health");
            assertTrue(Processes.waitUntil(() -> refused(uri), Duration.ofSeconds(5)), "a new connection is refused after SIGTERM");
            ProxyProcess.Result end = proxy.terminate();
            String body = new String(stream.body().readAllBytes(), StandardCharsets.UTF_8);
            // past the grace the CLI is killed: the stream ends with an error event, then [DONE]
            assertTrue(body.contains("\"error\""), "the stream says why it ended: " + body);
            assertTrue(body.trim().endsWith("data: [DONE]"), "a stream that ends, ends properly: " + body);
            assertEquals(128 + 15, end.exitCode(), end.stderr());
            assertFalse(end.stderr().contains("Exception"), end.stderr());
            assertAllEnd(clis);
        }
    }
}
