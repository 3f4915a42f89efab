package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.Processes;
import proxy.TestServer;
import proxy.json.Node;

/** {@code POST /v1/chat/completions} end to end against the fake CLI. */
class ChatCompletionsApiTest {

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
        return server.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer unused")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A request answered with capture 02 ("Hello! I am a fake model answering in deltas.", in 6 deltas). */
    private static String hello(String extra, String directives) {
        return """
                {"model":"gpt-4o",%s"messages":[{"role":"user","content":"%s fake:case=02-stream-json-partial"}]}"""
                .formatted(extra, directives);
    }

    private static final String HELLO = "Hello! I am a fake model answering in deltas.";

    private static void assertError(HttpResponse<String> r, int status, String type, String code, String messageStart)
            throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
        Node error = Node.parse(r.body()).get("error");
        assertEquals(List.of("message", "type", "param", "code"), fieldNames(error), "all four keys, always");
        assertEquals(type, error.text("type"));
        assertEquals(code, error.text("code"));
        assertTrue(error.text("message").startsWith(messageStart), error.text("message"));
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
    }

    private static List<String> fieldNames(Node object) {
        return Node.class.cast(object).toJson().replaceAll("\"(\\w+)\":(\"[^\"]*\"|null|\\{[^}]*\\}|[^,}]*)", "$1")
                .replaceAll("[{}\"]", "").lines().flatMap(l -> List.of(l.split(",")).stream()).toList();
    }

    @Test
    void streamWithAndWithoutUsage() throws Exception {
        var with = StrictOpenAiStream.parse(post(hello("\"stream\":true,\"stream_options\":{\"include_usage\":true},", ""))
                .body(), true);
        assertEquals(HELLO, with.choices().get(0).content());
        assertEquals("stop", with.choices().get(0).finishReason());
        assertEquals(12306, with.usage().get("prompt_tokens").longValue(0));
        assertEquals(11, with.usage().get("completion_tokens").longValue(0));
        assertEquals(12317, with.usage().get("total_tokens").longValue(0));
        assertEquals(0, with.usage().get("prompt_tokens_details").get("cached_tokens").longValue(-1));
        assertEquals("gpt-4o", with.model(), "the model as the client named it");

        var without = StrictOpenAiStream.parse(post(hello("\"stream\":true,", "")).body(), false);
        assertEquals(HELLO, without.choices().get(0).content());
    }

    @Test
    void wholeCompletion() throws Exception {
        HttpResponse<String> r = post(hello("", ""));
        assertEquals(200, r.statusCode());
        Node c = Node.parse(r.body());
        assertEquals("chat.completion", c.text("object"));
        assertTrue(c.text("id").startsWith("chatcmpl-"));
        Node choice = c.get("choices").elements().get(0);
        assertEquals(0, choice.get("index").longValue(-1));
        assertEquals("assistant", choice.get("message").text("role"));
        assertEquals(HELLO, choice.get("message").text("content"));
        assertEquals("stop", choice.text("finish_reason"));
        assertTrue(choice.get("logprobs").isNull());
        assertEquals(12317, c.get("usage").get("total_tokens").longValue(0));
    }

    @Test
    void nChoicesRunAsParallelProcessesAndInterleave() throws Exception {
        Path pids = tmp.resolve("pids");
        String json = hello("\"stream\":true,\"n\":2,", "fake:pace=40 fake:pidfile=" + pids);
        var result = StrictOpenAiStream.parse(post(json).body(), false);
        assertEquals(2, result.choices().size());
        assertEquals(HELLO, result.choices().get(0).content());
        assertEquals(HELLO, result.choices().get(1).content());
        List<String> selves = Files.readAllLines(pids).stream().filter(l -> l.startsWith("self ")).toList();
        assertEquals(2, selves.size(), "two CLI processes");
        assertNotEquals(selves.get(0), selves.get(1));
        int switches = 0;
        for (int i = 1; i < result.order().size(); i++) {
            switches += result.order().get(i).equals(result.order().get(i - 1)) ? 0 : 1;
        }
        assertTrue(switches >= 2, "the choices' chunks interleave as they arrive: " + result.order());
    }

    @Test
    void nChoicesInAWholeCompletion() throws Exception {
        Node c = Node.parse(post(hello("\"n\":3,", "")).body());
        assertEquals(3, c.get("choices").elements().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, c.get("choices").elements().get(i).get("index").longValue(-1));
        }
        assertEquals(3 * 12317, c.get("usage").get("total_tokens").longValue(0), "usage of all choices");
    }

    @Test
    void nOverTheCapIs400() throws Exception {
        assertError(post(hello("\"n\":5,", "")), 400, "invalid_request_error", null, "n: at most 4");
    }

    @Test
    void stopAcrossDeltas() throws Exception {
        var r = StrictOpenAiStream.parse(post(hello("\"stream\":true,\"stop\":[\"fake mod\"],", "")).body(), false);
        assertEquals("Hello! I am a ", r.choices().get(0).content());
        assertEquals("stop", r.choices().get(0).finishReason());
        Node body = Node.parse(post(hello("\"stop\":\"! I\",", "")).body());
        assertEquals("Hello", body.get("choices").elements().get(0).get("message").text("content"));
    }

    @Test
    void maxTokensIsLength() throws Exception {
        var r = StrictOpenAiStream.parse(post(hello("\"stream\":true,\"max_completion_tokens\":3,", "")).body(), false);
        assertEquals("Hello! I am ", r.choices().get(0).content());
        assertEquals("length", r.choices().get(0).finishReason());
        Node body = Node.parse(post(hello("\"max_tokens\":3,", "")).body());
        assertEquals("length", body.get("choices").elements().get(0).text("finish_reason"));
    }

    @Test
    void jsonSchemaReachesTheCliArgv() throws Exception {
        Path argv = tmp.resolve("argv");
        post(hello("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"city\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},", "fake:argvfile=" + argv));
        List<String> args = Files.readAllLines(argv);
        int flag = args.indexOf("--json-schema");
        assertTrue(flag > 0, args.toString());
        assertEquals("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", args.get(flag + 1));

        post(hello("\"response_format\":{\"type\":\"json_object\"},", "fake:argvfile=" + argv));
        args = Files.readAllLines(argv);
        assertEquals("{\"type\":\"object\"}", args.get(args.indexOf("--json-schema") + 1));
    }

    @Test
    void dataUrlImageReachesTheCliStdinAsAnImageBlock() throws Exception {
        Path stdin = tmp.resolve("stdin");
        String json = "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this? "
                + "fake:stdinfile=" + stdin + "\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}]}";
        assertEquals(200, post(json).statusCode());
        assertTrue(Files.readString(stdin).contains(
                "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}"),
                Files.readString(stdin));
    }

    @Test
    void remoteImageUrlsAreRefusedUnlessFetchingIsOn() throws Exception {
        String json = "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]}";
        HttpResponse<String> r = post(json);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("--fetch-images on"), r.body());
    }

    @Test
    void toolCallHistoryReachesTheSeededSession() throws Exception {
        Path seed = tmp.resolve("seed.jsonl");
        String json = """
                {"model":"sonnet","messages":[
                 {"role":"system","content":"You help."},
                 {"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"18°C and sunny"},
                 {"role":"assistant","content":"It is 18°C and sunny."},
                 {"role":"user","content":"And tomorrow? fake:seedcopy=%s"}]}""".formatted(seed);
        assertEquals(200, post(json).statusCode());
        List<String> entries = Files.readAllLines(seed);
        assertEquals(4, entries.size(), String.join("\n", entries));
        assertTrue(entries.get(0).contains("\"type\":\"user\"") && entries.get(0).contains("Weather in Paris?"));
        assertTrue(entries.get(1).contains("{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}"),
                entries.get(1));
        assertTrue(entries.get(2).contains("{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"18°C and sunny\"}],\"is_error\":false}"), entries.get(2));
        assertTrue(entries.get(3).contains("It is 18°C and sunny."));
    }

    @Test
    void errorKinds() throws Exception {
        assertError(post(hello("", "").replace("02-stream-json-partial", "60-err-401")), 401, "invalid_request_error", null,
                "Invalid API key");
        HttpResponse<String> limited = post(hello("", "").replace("02-stream-json-partial", "61-err-429"));
        assertError(limited, 429, "rate_limit_error", null, "API Error: Request rejected (429)");
        assertTrue(limited.headers().firstValue("retry-after").isPresent());
        assertError(post(hello("", "").replace("02-stream-json-partial", "63-err-500")), 500, "server_error", null, "API Error: 500");
        assertError(post(hello("", "").replace("02-stream-json-partial", "65-err-400")), 400, "invalid_request_error", null,
                "API Error: 400");
        assertError(post(hello("", "").replace("02-stream-json-partial", "67-err-404")), 404, "invalid_request_error", null,
                "There's an issue with the selected model");
        assertError(post(hello("", "").replace("02-stream-json-partial", "85-stdin-invalid-json")), 502, "server_error", null,
                "The Claude CLI exited with code 1");
        assertError(post("{\"model\":\"llama-3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 404,
                "invalid_request_error", "model_not_found", "The model 'llama-3' does not exist");
        assertError(post("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true}"), 400,
                "invalid_request_error", null, "logprobs");
        assertError(post("{\"model\":\"gpt-4o\",\"messages\":[}"), 400, "invalid_request_error", null, "Invalid JSON at line 1");
        assertError(post("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"\"}}]}"), 400, "invalid_request_error", null, "tools[0].function.name: must be 1 to 128");
        try (TestServer slow = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "hang"), "--first-event-timeout", "300ms");
             TestServer missing = TestServer.start(Map.of(), "--claude", "/no/such/claude")) {
            HttpResponse<String> timeout = slow.post("/v1/chat/completions", hello("", ""));
            assertError(timeout, 504, "timeout_error", null, "The Claude CLI did not answer within 300 ms");
            assertError(missing.post("/v1/chat/completions", hello("", "")), 503, "server_error", null,
                    "The Claude CLI is not available");
        }
    }

    @Test
    void errorAfterTheStreamStartedIsAnErrorChunkThenDone() throws Exception {
        HttpResponse<String> r = post(hello("\"stream\":true,", "fake:mode=die fake:after=5"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        StrictOpenAiStream.StreamError e = assertThrows(StrictOpenAiStream.StreamError.class,
                () -> StrictOpenAiStream.parse(r.body(), false));
        assertEquals("server_error", e.type);
    }

    @Test
    void ignoredParametersAreNamed() throws Exception {
        HttpResponse<String> r = post(hello("\"temperature\":0.1,\"top_p\":1,\"seed\":7,\"user\":\"u\",\"presence_penalty\":0,"
                + "\"frequency_penalty\":0,\"logit_bias\":{},", ""));
        assertEquals(200, r.statusCode());
        assertEquals(Optional.of("temperature, top_p, seed, user, presence_penalty, frequency_penalty, logit_bias"),
                r.headers().firstValue("x-claude-proxy-ignored"));
    }

    @Test
    void openaiAliasPaths() throws Exception {
        HttpResponse<String> r = server.post("/openai/v1/chat/completions", hello("", ""));
        assertEquals(200, r.statusCode());
        HttpResponse<String> models = server.get("/openai/v1/models");
        assertEquals(200, models.statusCode());
        assertTrue(models.body().contains("\"object\":\"list\""));
        assertEquals(200, server.get("/openai/v1/models/sonnet").statusCode());
        assertError(server.get("/v1/models/gpt-9"), 404, "invalid_request_error", "model_not_found", "model: gpt-9");
    }

    @Test
    void clientDisconnectMidStreamKillsTheCliTree() throws Exception {
        Path pids = tmp.resolve("pids");
        String json = hello("\"stream\":true,", "fake:pace=300 fake:grandchild=1 fake:pidfile=" + pids);
        HttpResponse<InputStream> r = server.client().send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null && !line.contains("\"content\":\"Hello\""); ) {
                // read up to the first content chunk: the CLI is mid-answer
            }
        }
        Processes.assertTreeKilled(pids);
    }

    @Test
    void reasoningStreamsAsReasoningContent() throws Exception {
        String json = "{\"model\":\"opus\",\"stream\":true,\"reasoning_effort\":\"high\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"fake:case=old-02-stream-json-partial\"}]}";
        var r = StrictOpenAiStream.parse(post(json).body(), false);
        assertEquals("The user says hello. I should greet back.", r.choices().get(0).reasoning());
        assertEquals("Hi there!", r.choices().get(0).content(), "never mixed into content");
        var plain = StrictOpenAiStream.parse(post(json.replace("\"reasoning_effort\":\"high\",", "")).body(), false);
        assertEquals("", plain.choices().get(0).reasoning(), "not asked for: not shown");
    }

    @Test
    void reasoningEffortReachesTheCli() throws Exception {
        Path argv = tmp.resolve("argv");
        Path env = tmp.resolve("env");
        post(hello("\"reasoning_effort\":\"xhigh\",", "fake:argvfile=" + argv + " fake:envfile=" + env));
        List<String> args = Files.readAllLines(argv);
        assertEquals("max", args.get(args.indexOf("--effort") + 1));
        assertFalse(Files.readAllLines(env).contains("CLAUDE_CODE_DISABLE_THINKING=1"), "reasoning asked for: thinking on");
    }

    @Test
    void quietCliGetsKeepAliveCommentsThenATimeoutErrorChunk() throws Exception {
        try (TestServer quick = TestServer.start(Map.of(), "--keep-alive", "100ms", "--idle-timeout", "700ms")) {
            HttpResponse<String> r = quick.post("/v1/chat/completions", hello("\"stream\":true,", "fake:mode=hang fake:after=5"));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\n\n: ping\n\n"), r.body());
            StrictOpenAiStream.StreamError e = assertThrows(StrictOpenAiStream.StreamError.class,
                    () -> StrictOpenAiStream.parse(r.body(), false));
            assertEquals("timeout_error", e.type);
        }
    }
}
