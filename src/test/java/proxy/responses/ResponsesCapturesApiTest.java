package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.ClientCaptures;
import proxy.TestServer;
import proxy.json.Node;

/**
 * Every captured Responses request (Codex, the Agents SDK, the Python SDK) replayed byte for
 * byte against the proxy with the fake CLI calling the first offered tool: accepted, and
 * answered with a well-formed stream or response; Codex's namespaced functions reach the CLI
 * and come back under their namespace.
 */
class ResponsesCapturesApiTest {

    private static TestServer server;
    /** The fake CLI calls a function Codex offers inside its {@code multi_agent_v1} namespace. */
    private static TestServer namespaced;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "tools"), "--warm", "0");
        namespaced = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "tools", "FAKE_CLAUDE_CALLS", "multi_agent_v1__close_agent"),
                "--warm", "0");
    }

    @AfterAll
    static void stop() {
        server.close();
        namespaced.close();
    }

    static List<String> captures() throws IOException {
        return ClientCaptures.files(path -> path.endsWith("/responses"));
    }

    private static HttpResponse<String> replay(TestServer to, String file) throws Exception {
        ClientCaptures.Capture c = ClientCaptures.read(ClientCaptures.DIR.resolve(file));
        return to.send(HttpRequest.newBuilder(to.uri(c.path())).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(c.body())).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void acceptedAndWellFormed(String file) throws Exception {
        Node request = Node.parse(ClientCaptures.read(ClientCaptures.DIR.resolve(file)).body());
        if (request.has("previous_response_id")) {
            // the id names a response of the server it was captured from: the API's answer is this 400
            HttpResponse<String> r = replay(server, file);
            assertEquals(400, r.statusCode(), file + ": " + r.body());
            assertEquals("previous_response_not_found", Node.parse(r.body()).get("error").text("code"), file);
            return;
        }
        HttpResponse<String> r = replay(server, file);
        assertEquals(200, r.statusCode(), file + ": " + r.body());
        Node response = request.get("stream").isTrue() ? StrictResponsesStream.parse(r.body()).response() : Node.parse(r.body());
        assertEquals("completed", response.text("status"), file);
        boolean offersFunctions = request.get("tools").elements().stream().anyMatch(t -> "function".equals(t.text("type")));
        List<Node> calls = response.get("output").elements().stream().filter(i -> "function_call".equals(i.text("type"))).toList();
        assertEquals(offersFunctions, !calls.isEmpty(), file + ": " + response.toJson());
        for (Node call : calls) {
            assertTrue(request.get("tools").toJson().contains("\"name\":\"" + call.text("name") + "\""), file + ": " + call.toJson());
        }
    }

    @Test
    void thereAreCapturesOfEachClient() throws IOException {
        List<String> all = captures();
        assertTrue(all.stream().anyMatch(f -> f.startsWith("codex/")) && all.stream().anyMatch(f -> f.startsWith("openai-agents-js/"))
                && all.stream().anyMatch(f -> f.startsWith("python-sdks/")), all.toString());
    }

    @Test
    void codexNamespacedFunctionsComeBackUnderTheirNamespace() throws Exception {
        HttpResponse<String> r = replay(namespaced, "codex/responses-01-first-turn.json");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("x-claude-proxy-ignored").orElse("").contains("tools[web_search]"), r.headers().toString());
        Node call = StrictResponsesStream.parse(r.body()).output().stream()
                .filter(i -> "function_call".equals(i.text("type"))).findFirst().orElseThrow();
        assertEquals("close_agent", call.text("name"));
        assertEquals("multi_agent_v1", call.text("namespace"));
    }
}
