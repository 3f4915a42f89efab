package proxy.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import proxy.json.Node;

/** The MCP bridge as the CLI sees it: JSON-RPC over HTTP, tools served as given, calls held until answered. */
class McpBridgeTest {

    private static final String SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",\
            "properties":{"command":{"type":"string"},"timeout":{"anyOf":[{"type":"integer"},{"type":"null"}]}},\
            "required":["command"],"additionalProperties":false}""";

    private HttpServer server;
    private McpBridge bridge;
    private McpSession session;
    private final HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build();

    @BeforeEach
    void start() throws Exception {
        bridge = new McpBridge(Duration.ofMillis(100));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(McpBridge.PATH, bridge);
        server.start();
        session = bridge.open(List.of(new McpTool("Bash", "Runs a command", Node.parse(SCHEMA)),
                new McpTool("read", "Reads a file", Node.parse("{\"type\":\"object\"}"))));
    }

    @AfterEach
    void stop() {
        session.close();
        server.stop(0);
        client.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> rpc(String method, String params) throws Exception {
        return post(session.path(), "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    @Test
    void anUnknownTokenIsABare404AndOnlyPostIsServed() throws Exception {
        HttpResponse<String> wrong = post(McpBridge.PATH + "0123456789abcdef", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
        assertEquals(404, wrong.statusCode());
        assertEquals("", wrong.body());
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri(session.path())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());

        session.close();
        assertEquals(404, rpc("ping", "{}").statusCode(), "a closed session's path is gone");
    }

    @Test
    void initializeListAndNotifications() throws Exception {
        Node init = Node.parse(rpc("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}").body());
        assertEquals(7, init.get("id").longValue(0));
        assertEquals("2025-11-25", init.get("result").text("protocolVersion"));
        assertTrue(init.get("result").get("capabilities").get("tools").isObject());

        assertEquals(202, post(session.path(), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());
        Node discover = Node.parse(rpc("server/discover", "{}").body());
        assertEquals(-32601, discover.get("error").get("code").longValue(0), "unknown methods, the CLI's probe among them");

        List<Node> tools = Node.parse(rpc("tools/list", "{}").body()).get("result").get("tools").elements();
        assertEquals(List.of("Bash", "read"), tools.stream().map(t -> t.text("name")).toList());
        assertEquals(Node.parse(SCHEMA).toJson(), tools.get(0).get("inputSchema").toJson(), "the schema as given");
        assertTrue(tools.get(0).get("annotations").isMissing(), "no readOnlyHint: the CLI makes calls in turn");
        assertTrue(tools.get(0).get("_meta").get("anthropic/alwaysLoad").isTrue(), "never deferred");
        assertEquals(500_000, tools.get(0).get("_meta").get("anthropic/maxResultSizeChars").longValue(0));
    }

    @Test
    void aCallIsHeldWithProgressUntilTheClientAnswers() throws Exception {
        CompletableFuture<HttpResponse<InputStream>> response = client.sendAsync(HttpRequest.newBuilder(uri(session.path()))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"Bash",
                         "arguments":{"command":"ls"},"_meta":{"claudecode/toolUseId":"toolu_1","progressToken":5}}}"""))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        HeldCall call = session.awaitCall("toolu_1", Duration.ofSeconds(10)).orElseThrow();
        assertEquals("Bash", call.name());
        assertEquals("{\"command\":\"ls\"}", call.argumentsJson());
        HttpResponse<InputStream> r = response.get(); // the headers came before any answer
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));

        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                    if (data.size() == 2) {
                        assertTrue(call.answer("total 0\n", false));
                    }
                }
            }
        }
        Node progress = Node.parse(data.get(0));
        assertEquals("notifications/progress", progress.text("method"));
        assertEquals(5, progress.get("params").get("progressToken").longValue(0));
        Node result = Node.parse(data.get(data.size() - 1));
        assertEquals("c1", result.text("id"));
        assertEquals("total 0\n", result.get("result").get("content").elements().get(0).text("text"));
        assertFalse(result.get("result").get("isError").isTrue());
        assertFalse(call.answer("again", false), "answered once");
    }

    @Test
    void closingTheSessionEndsAHeldCallWithAnError() throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri(session.path()))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read","arguments":{},
                         "_meta":{"claudecode/toolUseId":"toolu_2"}}}""")).build(), HttpResponse.BodyHandlers.ofInputStream());
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals(": waiting for the client")) { // kept alive without a progress token
                    session.close();
                } else if (line.startsWith("data: ")) {
                    last = line.substring(6);
                }
            }
        }
        assertTrue(Node.parse(last).get("result").get("isError").isTrue(), last);
    }

    @Test
    void anUnknownToolIsAnErrorNotAHold() throws Exception {
        Node r = Node.parse(rpc("tools/call", "{\"name\":\"Write\",\"arguments\":{}}").body());
        assertEquals(-32602, r.get("error").get("code").longValue(0));
        assertTrue(session.awaitCall("anything", Duration.ofMillis(50)).isEmpty());
    }
}
