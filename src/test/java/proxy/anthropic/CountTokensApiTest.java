package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import proxy.FakeCli;
import proxy.Processes;
import proxy.TestServer;
import proxy.json.Node;

/**
 * {@code POST /v1/messages/count_tokens} end to end against the fake CLI: the count is what the
 * capture's first message reported as input, the CLI is stopped at that event, identical bodies
 * come from the cache, and failures are errors, never a made-up count.
 */
class CountTokensApiTest {

    private static final Path CAPTURES = FakeCli.CASES;
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

    private static HttpResponse<String> count(TestServer s, String json) throws Exception {
        return s.send(HttpRequest.newBuilder(s.uri("/v1/messages/count_tokens"))
                .timeout(Duration.ofSeconds(30)) // a count that waits for the whole answer fails here, not hangs
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> count(String json) throws Exception {
        return count(server, json);
    }

    /** A count_tokens body (no max_tokens) whose user text is {@code text}. */
    private static String body(String text) {
        return """
                {"model":"opus","system":"Be brief.","messages":[{"role":"user","content":"%s"}]}""".formatted(text);
    }

    /**
     * input + cache-creation + cache-read tokens of the first message in a capture's stdout: its
     * {@code message_start} event, or the first {@code assistant} line when it was not streamed.
     */
    static long firstInputTokens(Path stdout) throws IOException {
        for (String line : Files.readAllLines(stdout)) {
            Node n = Node.parse(line);
            Node message = "stream_event".equals(n.text("type")) && "message_start".equals(n.get("event").text("type"))
                    ? n.get("event").get("message")
                    : "assistant".equals(n.text("type")) ? n.get("message") : Node.MISSING;
            if (message.has("usage")) {
                Node u = message.get("usage");
                return u.get("input_tokens").longValue(0) + u.get("cache_creation_input_tokens").longValue(0)
                        + u.get("cache_read_input_tokens").longValue(0);
            }
        }
        throw new AssertionError("no message usage in " + stdout);
    }

    private static long firstInputTokens(String capture) throws IOException {
        long n = firstInputTokens(CAPTURES.resolve(capture).resolve("stdout.jsonl"));
        assertTrue(n > 0, capture);
        return n;
    }

    private static List<String> turns(Path turnlog) throws IOException {
        return Files.exists(turnlog) ? Files.readAllLines(turnlog) : List.of();
    }

    private static void assertCount(long expected, HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"input_tokens\":" + expected + "}", r.body());
        assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
        assertTrue(r.headers().firstValue("request-id").orElse("").startsWith("req_"), r.headers().toString());
    }

    @Test
    void theCountIsTheInputOfTheFirstMessageAndTheCliIsGone() throws Exception {
        Path pids = tmp.resolve("pids");
        // capture 01 (the default) does not stream: its first assistant line carries the usage
        assertCount(firstInputTokens("01-stream-json"), count(body("count me fake:pidfile=" + pids)));
        long cli = Processes.pid(pids, "self");
        assertTrue(Processes.waitUntil(() -> !Processes.running(cli), Duration.ofSeconds(10)), "the CLI was not stopped");
    }

    @Test
    void theCountIsTakenAtMessageStartWithoutWaitingForTheAnswer() throws Exception {
        // capture 02 streams; its 3rd line is message_start, after which this CLI says nothing, ever
        Path pids = tmp.resolve("pids");
        String text = "fake:case=02-stream-json-partial fake:mode=hang fake:after=3 fake:pidfile=" + pids;
        assertCount(firstInputTokens("02-stream-json-partial"), count(body(text)));
        long cli = Processes.pid(pids, "self");
        assertTrue(Processes.waitUntil(() -> !Processes.running(cli), Duration.ofSeconds(10)), "the hanging CLI was left running");
    }

    @Test
    void identicalBodiesComeFromTheCacheAndADifferentOneRunsAgain() throws Exception {
        Path turnlog = tmp.resolve("turns");
        long expected = firstInputTokens("01-stream-json");
        String first = body("fake:turnlog=" + turnlog + " how long is this?");
        assertCount(expected, count(first));
        assertCount(expected, count(first));
        assertEquals(1, turns(turnlog).size(), turns(turnlog).toString());

        assertCount(expected, count(body("fake:turnlog=" + turnlog + " how long is this one?")));
        assertEquals(2, turns(turnlog).size(), turns(turnlog).toString());

        // the model is part of the request: the same messages for another model are counted again
        assertCount(expected, count(first.replace("\"opus\"", "\"sonnet\"")));
        assertEquals(3, turns(turnlog).size(), turns(turnlog).toString());
    }

    @Test
    void maxTokensMayBeAbsentOrPresent() throws Exception {
        Path turnlog = tmp.resolve("turns");
        String absent = body("fake:turnlog=" + turnlog);
        assertFalse(absent.contains("max_tokens"));
        assertCount(firstInputTokens("01-stream-json"), count(absent));
        assertCount(firstInputTokens("01-stream-json"), count(absent.replace("{\"model\"", "{\"max_tokens\":64,\"model\"")));
        assertEquals(2, turns(turnlog).size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"opus\"}|messages: Field required",
        "{\"model\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|model: must be a string",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|model: Field required",
        "{\"model\":\"opus\",\"tools\":[{\"name\":\"t\",\"input_schema\":\"x\"}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                + "|tools.0.input_schema: must be an object",
        "{\"model\":\"opus\",\"tools\":[{\"name\":\"t\"}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                + "|tools.0.input_schema: Field required",
        "{\"model\":\"opus\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|max_tokens: must be at least 1",
        "{\"model\":\"opus\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],}|Invalid JSON at line 1",
    })
    void badBodiesAre400NamingTheField(String json, String message) throws Exception {
        HttpResponse<String> r = count(json);
        assertEquals(400, r.statusCode(), r.body());
        StrictAnthropicStream.assertErrorBody(r.body(), "invalid_request_error");
        assertTrue(Node.parse(r.body()).get("error").text("message").startsWith(message), r.body());
        assertFalse(r.body().contains("input_tokens"), r.body());
    }

    @Test
    void aCliFailureBeforeMessageStartIsTheErrorAndIsNotCached() throws Exception {
        Path turnlog = tmp.resolve("turns");
        String json = body("fake:mode=die fake:after=0 fake:turnlog=" + turnlog);
        for (int i = 1; i <= 2; i++) {
            HttpResponse<String> r = count(json);
            assertEquals(502, r.statusCode(), r.body());
            assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
            StrictAnthropicStream.assertErrorBody(r.body(), "api_error");
            assertFalse(r.body().contains("input_tokens"), r.body());
            assertEquals(i, turns(turnlog).size(), "a failure must not be served from the cache");
        }
    }

    /** A capture of our own: 02 with cached input, and one whose run reports no message at all. */
    @Test
    void cacheTokensCountAndAMissingCountIsAnError() throws Exception {
        Path cases = tmp.resolve("cases");
        Path source = CAPTURES.resolve("02-stream-json-partial");
        String stdout = Files.readString(source.resolve("stdout.jsonl"));
        String plain = "\"usage\":{\"input_tokens\":12306,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,";
        assertTrue(stdout.contains(plain), "capture 02 changed");
        write(cases.resolve("cached"), stdout.replaceFirst(Pattern.quote(plain),
                "\"usage\":{\"input_tokens\":7,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":10000,"));
        // the init line and the success result of capture 01, without the assistant message between
        List<String> lines = Files.readAllLines(CAPTURES.resolve("01-stream-json").resolve("stdout.jsonl"));
        assertTrue(lines.get(1).startsWith("{\"type\":\"assistant\""), "capture 01 changed");
        write(cases.resolve("no-message"), lines.get(0) + "\n" + lines.get(2) + "\n");

        try (TestServer own = TestServer.start(Map.of("FAKE_CLAUDE_CASES", cases.toString()))) {
            assertCount(7 + 2000 + 10000, count(own, body("fake:case=cached")));
            HttpResponse<String> r = count(own, body("fake:case=no-message"));
            assertEquals(502, r.statusCode(), r.body());
            StrictAnthropicStream.assertErrorBody(r.body(), "api_error");
            assertFalse(r.body().contains("input_tokens"), r.body());
        }
    }

    private static void write(Path dir, String stdout) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stdout.jsonl"), stdout);
        Files.writeString(dir.resolve("timing.json"), "{\"rc\": 0}\n");
    }

    /**
     * The body the Python SDK sent for {@code client.messages.count_tokens(...)} with a tool: the
     * CLI gets the tool through the proxy's tool server (as for /v1/messages), so the count is
     * that of the request with the served tool. The fake's tools mode reports 10 input tokens
     * at message_start (its {@code usage_json}).
     */
    @Test
    void theCapturedPythonSdkRequestIsCountedWithItsTool() throws Exception {
        Node capture = Node.parse(Files.readString(Path.of("src/test/resources/client-requests/python-sdks/an-count_tokens.json")));
        assertEquals("/v1/messages/count_tokens", capture.text("path"));
        assertFalse(capture.get("body").has("max_tokens"));
        assertTrue(capture.get("body").has("tools"));
        Path argv = tmp.resolve("argv");
        try (TestServer tools = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "tools", "FAKE_CLAUDE_ARGVFILE", argv.toString()))) {
            assertCount(10, count(tools, capture.get("body").toJson()));
        }
        assertTrue(Files.readAllLines(argv).contains("--mcp-config"), "the tool was not served to the CLI");
    }

    @Test
    void theRouteIsItsOwnNotSwallowedByMessages() throws Exception {
        HttpResponse<String> get = server.get("/v1/messages/count_tokens");
        assertEquals(405, get.statusCode(), get.body());
        assertEquals(Optional.of("POST"), get.headers().firstValue("allow"));
        StrictAnthropicStream.assertErrorBody(get.body(), "invalid_request_error");
        HttpResponse<String> below = server.post("/v1/messages/count_tokens/x", body("hi"));
        assertEquals(404, below.statusCode(), below.body());
        // and /v1/messages still wants max_tokens
        HttpResponse<String> messages = server.post("/v1/messages", body("hi"));
        assertEquals(400, messages.statusCode(), messages.body());
        assertTrue(messages.body().contains("max_tokens: Field required"), messages.body());
    }
}
