package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;

/** {@code /v1/responses} end to end against the fake CLI: text, tool calls, stored responses. */
class ResponsesApiTest {

    private static TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of(), "--warm", "0");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("content-type", "application/json")
                .header("authorization", "Bearer unused").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /** The text of a response object's message items. */
    private static String text(Node response) {
        StringBuilder sb = new StringBuilder();
        for (Node item : response.get("output").elements()) {
            if ("message".equals(item.text("type"))) {
                item.get("content").elements().forEach(c -> sb.append(String.valueOf(c.text("text"))));
            }
        }
        return sb.toString();
    }

    private static final String HELLO = "Hello! I am a fake model answering in deltas.";

    @Test
    void aTextAnswerStreamedAndWhole() throws Exception {
        HttpResponse<String> whole = post("/v1/responses",
                "{\"model\":\"gpt-4o\",\"input\":\"hi fake:case=02-stream-json-partial\",\"store\":false}");
        assertEquals(200, whole.statusCode(), whole.body());
        Node response = Node.parse(whole.body());
        assertEquals("response", response.text("object"));
        assertEquals("completed", response.text("status"));
        assertEquals("gpt-4o", response.text("model"));
        assertEquals(HELLO, text(response));
        assertTrue(response.text("id").startsWith("resp_"));

        HttpResponse<String> streamed = post("/openai/v1/responses",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                        + "\"text\":\"hi fake:case=02-stream-json-partial\"}]}]}");
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        StrictResponsesStream.Result result = StrictResponsesStream.parse(streamed.body());
        assertEquals("completed", result.status());
        assertEquals(HELLO, text(result.response()));
    }

    @Test
    void previousResponseIdContinuesTheStoredConversation() throws Exception {
        Path log = tmp.resolve("turns.log");
        HttpResponse<String> first = post("/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"one fake:turnlog=" + log + "\"}");
        assertEquals(200, first.statusCode(), first.body());
        String id = Node.parse(first.body()).text("id");

        HttpResponse<String> got = send("GET", "/v1/responses/" + id);
        assertEquals(200, got.statusCode(), got.body());
        assertEquals(Node.parse(first.body()), Node.parse(got.body()), "GET gives the response as answered");

        HttpResponse<String> second = post("/v1/responses", "{\"model\":\"gpt-4o\",\"previous_response_id\":\"" + id
                + "\",\"input\":\"two fake:turnlog=" + log + "\"}");
        assertEquals(200, second.statusCode(), second.body());
        List<String> turns = Files.readAllLines(log);
        assertEquals(2, turns.size(), turns.toString());
        assertEquals(turns.get(0).split(" ")[1], turns.get(1).split(" ")[1], "the second turn ran on the kept CLI: " + turns);
        assertEquals(id, Node.parse(second.body()).text("previous_response_id"));

        HttpResponse<String> deleted = send("DELETE", "/v1/responses/" + id);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(Node.parse(deleted.body()).get("deleted").isTrue());
        assertEquals(404, send("GET", "/v1/responses/" + id).statusCode());
        assertEquals(404, send("DELETE", "/v1/responses/" + id).statusCode());

        HttpResponse<String> gone = post("/v1/responses", "{\"model\":\"gpt-4o\",\"previous_response_id\":\"" + id
                + "\",\"input\":\"three\"}");
        assertEquals(400, gone.statusCode(), gone.body());
        Node error = Node.parse(gone.body()).get("error");
        assertEquals("previous_response_not_found", error.text("code"));
        assertEquals("previous_response_id", error.text("param"));
    }

    @Test
    void storeFalseKeepsNothing() throws Exception {
        HttpResponse<String> r = post("/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"store\":false}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(404, send("GET", "/v1/responses/" + Node.parse(r.body()).text("id")).statusCode());
    }

    @Test
    void aFunctionCallRoundTripOnTheHeldCli() throws Exception {
        Path log = tmp.resolve("tools.log");
        String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"n\":{\"type\":\"integer\"}}}},{\"type\":\"web_search\"}]";
        String user = "{\"role\":\"user\",\"content\":\"weather? fake:mode=tools fake:turnlog=" + log + "\"}";
        HttpResponse<String> first = post("/v1/responses", "{\"model\":\"gpt-4o\",\"stream\":true,\"store\":false," + tools
                + ",\"input\":[" + user + "]}");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("tools[web_search]", first.headers().firstValue("x-claude-proxy-ignored").orElse(""));
        StrictResponsesStream.Result result = StrictResponsesStream.parse(first.body());
        Node call = result.output().stream().filter(i -> "function_call".equals(i.text("type"))).findFirst().orElseThrow();
        assertEquals("get_weather", call.text("name"));
        assertEquals("{\"n\":1}", call.text("arguments"));

        // Codex's way: store false, the whole history again with the call and its output
        HttpResponse<String> second = post("/v1/responses", "{\"model\":\"gpt-4o\",\"stream\":true,\"store\":false," + tools
                + ",\"input\":[" + user + "," + call.toJson() + ",{\"type\":\"function_call_output\",\"call_id\":\""
                + call.text("call_id") + "\",\"output\":\"sunny\"}]}");
        assertEquals(200, second.statusCode(), second.body());
        String answer = text(StrictResponsesStream.parse(second.body()).response());
        assertTrue(answer.contains("Results: sunny"), answer);
        List<String> turns = Files.readAllLines(log);
        assertEquals(1, turns.size(), "the result continued the held CLI: " + turns);
    }

    @Test
    void errorsUseTheOpenAiEnvelope() throws Exception {
        HttpResponse<String> r = post("/v1/responses", "{\"model\":\"gpt-4o\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("invalid_request_error", Node.parse(r.body()).get("error").text("type"));
        assertNotEquals(404, post("/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"background\":true}").statusCode());
    }
}
