package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.Processes;
import proxy.TestServer;

/** {@code POST /v1/messages} end to end against the fake CLI: limits, errors, validation, disconnects. */
class MessagesApiTest {

    private static TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/v1/messages"))
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "whatever-2026-01-01")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A request for the reply recorded in capture 02 ("Hello! I am a fake model answering in deltas."). */
    private static String hello(String extra) {
        return """
                {"model":"opus","max_tokens":1024,%s"messages":[{"role":"user","content":"fake:case=02-stream-json-partial"}]}"""
                .formatted(extra);
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String message) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
        StrictAnthropicStream.assertErrorBody(r.body(), type);
        assertTrue(r.body().contains("\"message\":\"" + message), r.body());
        assertTrue(r.headers().firstValue("request-id").orElse("").startsWith("req_"));
    }

    @Test
    void stopSequenceSplitAcrossDeltasEndsTheStream() throws Exception {
        // the reply streams as "Hello", "! I am", " a fake", " model", ...: "fake mod" spans two deltas
        HttpResponse<String> r = post(hello("\"stream\":true,\"stop_sequences\":[\"fake mod\",\"nowhere\"],"));
        var message = StrictAnthropicStream.parse(r.body());
        assertEquals("Hello! I am a ", text(message));
        assertEquals("stop_sequence", message.stopReason());
        assertEquals("fake mod", message.stopSequence());
    }

    @Test
    void stopSequenceInAWholeBody() throws Exception {
        HttpResponse<String> r = post(hello("\"stop_sequences\":[\"! I\"],"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}],\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"! I\""),
                r.body());
    }

    @Test
    void maxTokensCutsTheOutput() throws Exception {
        // 3 tokens ≈ 12 characters: the CLI is told too, the proxy's cut is the backstop
        HttpResponse<String> r = post(hello("\"stream\":true,").replace("1024", "3"));
        var message = StrictAnthropicStream.parse(r.body());
        assertEquals("Hello! I am ", text(message));
        assertEquals("max_tokens", message.stopReason());
        assertEquals(3, message.outputTokens());
    }

    @Test
    void errorAfterTheFirstDeltaIsAnErrorEvent() throws Exception {
        // the CLI dies right after the first text delta (line 5 of the capture)
        HttpResponse<String> r = post(hello("\"stream\":true,").replace("fake:case", "fake:mode=die fake:after=5 fake:case"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"text\":\"Hello\""), r.body());
        StrictAnthropicStream.StreamError e = org.junit.jupiter.api.Assertions.assertThrows(
                StrictAnthropicStream.StreamError.class, () -> StrictAnthropicStream.parse(r.body()));
        assertEquals("api_error", e.type());
        assertFalse(r.body().contains("message_stop"));
    }

    @Test
    void clientDisconnectMidStreamKillsTheCliTree() throws Exception {
        Path pids = tmp.resolve("pids");
        String json = hello("\"stream\":true,").replace("fake:case",
                "fake:pace=300 fake:grandchild=1 fake:pidfile=" + pids + " fake:case");
        HttpResponse<InputStream> r = server.client().send(HttpRequest.newBuilder(server.uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null && !line.contains("text_delta"); ) {
                // read until the first delta: the CLI is mid-answer
            }
        } // closing the body closes the connection
        Processes.assertTreeKilled(pids);
    }

    @Test
    void quietCliGetsPingsThenATimeoutErrorEvent() throws Exception {
        try (TestServer quick = TestServer.start(Map.of(), "--keep-alive", "100ms", "--idle-timeout", "700ms")) {
            // the CLI starts a text block (4 lines of capture 02), then says nothing more
            String json = hello("\"stream\":true,").replace("fake:case", "fake:mode=hang fake:after=4 fake:case");
            HttpResponse<String> r = quick.post("/v1/messages", json);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("event: ping\ndata: {\"type\":\"ping\"}\n\n"), r.body());
            StrictAnthropicStream.StreamError e = org.junit.jupiter.api.Assertions.assertThrows(
                    StrictAnthropicStream.StreamError.class, () -> StrictAnthropicStream.parse(r.body()));
            assertEquals("timeout_error", e.type());
        }
    }

    @Test
    void badJsonIs400WithTheLocation() throws Exception {
        assertError(post("{\"model\":\"opus\",\n\"max_tokens\": 10,,}"), 400, "invalid_request_error",
                "Invalid JSON at line 2, column 18: Unexpected character (',' (code 44))");
    }

    @Test
    void missingAndEmptyMessages() throws Exception {
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10}"), 400, "invalid_request_error", "messages: Field required");
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[]}"), 400, "invalid_request_error",
                "messages: at least one message is required");
        assertError(post("{\"model\":\"opus\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400,
                "invalid_request_error", "max_tokens: Field required");
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}"), 400,
                "invalid_request_error", "messages.0.content: text content must be non-empty");
    }

    @Test
    void wrongRoleOrder() throws Exception {
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "invalid_request_error",
                "messages.0.role: the first message must use the user role");
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Sure\"}]}"), 400, "invalid_request_error",
                "messages: the last message must use the user role");
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}"), 400,
                "invalid_request_error", "messages.0.role: must be 'user' or 'assistant'");
    }

    @Test
    void imageTooLargeIs413() throws Exception {
        String data = "A".repeat(MessagesRequest.MAX_IMAGE_BYTES / 3 * 4 + 8);
        String json = "{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                + "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + data + "\"}},"
                + "{\"type\":\"text\",\"text\":\"what is it?\"}]}]}";
        assertError(post(json), 413, "request_too_large", "messages.0.content.0.source.data: image exceeds 5 MB maximum");
    }

    @Test
    void bodyOver32MbIs413() throws Exception {
        String json = "{\"model\":\"opus\",\"max_tokens\":10,\"metadata\":{\"pad\":\"" + "x".repeat(MessagesHandler.MAX_BODY_BYTES) + "\"}}";
        assertError(post(json), 413, "request_too_large", "Request too large");
    }

    @Test
    void imageUrlsAreRefusedClearly() throws Exception {
        assertError(post("{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                + "\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.png\"}}]}]}"), 400, "invalid_request_error",
                "messages.0.content.0.source.url: image URLs are not fetched by this proxy");
    }

    @Test
    void unknownModelIs404FromTheApi() throws Exception {
        HttpResponse<String> r = post(hello("").replace("02-stream-json-partial", "67-err-404"));
        assertError(r, 404, "not_found_error", "There's an issue with the selected model");
        assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
    }

    /** A tool the API defines (and would run) cannot be served by the CLI: refused before the CLI starts. */
    @Test
    void anthropicDefinedToolsAre400() throws Exception {
        HttpResponse<String> r = post(hello("\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}},"
                + "{\"type\":\"bash_20250124\",\"name\":\"bash\"}],"));
        assertError(r, 400, "invalid_request_error", "tools.1.type: tools of type 'bash_20250124' are Anthropic-defined tools");
        assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
    }

    @Test
    void aToolChoiceNamingNoToolIs400() throws Exception {
        assertError(post(hello("\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_time\"},")), 400,
                "invalid_request_error", "tool_choice.name: no tool named 'get_time'");
    }

    @Test
    void samplingParametersAreIgnoredAndSaidSo() throws Exception {
        HttpResponse<String> r = post(hello("\"temperature\":0.2,\"top_p\":0.9,\"top_k\":5,\"metadata\":{\"user_id\":\"u\"},"));
        assertEquals(200, r.statusCode());
        assertEquals(Optional.of("temperature, top_p, top_k"), r.headers().firstValue("x-claude-proxy-ignored"));
    }

    @Test
    void wrongMethodIs405InTheAnthropicEnvelope() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/v1/messages")).GET().build());
        assertError(r, 405, "invalid_request_error", "Method GET is not allowed on /v1/messages; use POST");
        assertEquals(Optional.of("POST"), r.headers().firstValue("allow"));
    }

    /** A request body as the official SDK's own tests send it, answered through a strict stream parser. */
    @Test
    void sdkRequestBodyStreamsToAStrictParser() throws Exception {
        String body = Files.readString(Path.of("src/test/resources/anthropic/sdk-request.json"));
        String json = body.strip().replaceFirst("\\}$", ",\"stream\":true}"); // last wins, as in the parser
        try (TestServer replaying = TestServer.start(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial"))) {
            HttpResponse<String> r = replaying.send(HttpRequest.newBuilder(replaying.uri("/v1/messages"))
                    .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build());
            assertEquals(200, r.statusCode(), r.body());
            var message = StrictAnthropicStream.parse(r.body());
            assertEquals("Hello! I am a fake model answering in deltas.", text(message));
            assertEquals("end_turn", message.stopReason());
            assertTrue(message.id().startsWith("msg_"));
        }
    }

    private static String text(StrictAnthropicStream.Message m) {
        StringBuilder sb = new StringBuilder();
        for (var b : m.content()) {
            if (b instanceof StrictAnthropicStream.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    @Test
    void imageUrlsAreFetchedWhenTheOperatorSaysSo() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        com.sun.net.httpserver.HttpServer images = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        images.createContext("/cat.png", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            try (var out = ex.getResponseBody()) {
                out.write(png);
            }
        });
        images.start();
        Path stdin = tmp.resolve("stdin");
        try (TestServer fetching = TestServer.start(Map.of(), "--fetch-images", "on")) {
            String url = "http://127.0.0.1:" + images.getAddress().getPort() + "/cat.png";
            HttpResponse<String> r = fetching.post("/v1/messages", "{\"model\":\"opus\",\"max_tokens\":10,\"messages\":[{\"role\":"
                    + "\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"" + url + "\"}},"
                    + "{\"type\":\"text\",\"text\":\"what is it? fake:stdinfile=" + stdin + "\"}]}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(Files.readString(stdin).contains("{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":"
                    + "\"image/png\",\"data\":\"" + java.util.Base64.getEncoder().encodeToString(png) + "\"}}"), Files.readString(stdin));
        } finally {
            images.stop(0);
        }
    }
}
