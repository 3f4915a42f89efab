package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.anthropic.StrictAnthropicStream;
import proxy.json.Node;
import proxy.openai.StrictOpenAiStream;

/**
 * Client tools end to end: a client of each API, the proxy, the real CLI and {@link FakeAnthropic}
 * scripting the model's calls. The client gets the call under its own tool name, sends the
 * result, the model sees a {@code tool_result} with it, and the final answer comes from the
 * same CLI process (one session id upstream). Also: the largest tool list the captured clients
 * send reaches the model whole, schemas unchanged.
 */
class ClientToolsIT {

    private static final String SESSION = "x-claude-code-session-id";
    /** A pydantic-style schema: $defs/$ref, anyOf with null, enum, pattern, format. */
    private static final String WEATHER_SCHEMA = """
            {"$defs":{"Unit":{"enum":["celsius","fahrenheit"],"title":"Unit","type":"string"}},\
            "properties":{"city":{"pattern":"^[A-Z]","title":"City","type":"string"},\
            "unit":{"anyOf":[{"$ref":"#/$defs/Unit"},{"type":"null"}],"default":null},\
            "when":{"format":"date","type":"string"}},\
            "required":["city"],"title":"GetWeather","type":"object","additionalProperties":false}""";

    @TempDir
    Path tmp;

    private TestServer proxy(FakeAnthropic upstream) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        return TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude", claude.toString(), "--warm", "0");
    }

    private static HttpResponse<String> post(TestServer proxy, String path, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path)).header("content-type", "application/json")
                .header("x-api-key", "unused").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static Node tool(FakeAnthropic.Recorded request, String name) throws Exception {
        return Node.parse(request.body()).get("tools").elements().stream().filter(t -> name.equals(t.text("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no tool " + name + " upstream"));
    }

    /** The tool_result blocks of the last user message upstream. */
    private static List<Node> results(FakeAnthropic.Recorded request) throws Exception {
        Node last = Node.parse(request.body()).get("messages").elements().stream()
                .filter(m -> "user".equals(m.text("role"))).reduce((a, b) -> b).orElseThrow();
        return last.get("content").elements().stream().filter(b -> "tool_result".equals(b.text("type"))).toList();
    }

    private static String text(Node result) {
        return ClientToolsEngineIT.resultText(result);
    }

    private static void script(FakeAnthropic upstream) {
        upstream.reply(FakeAnthropic.Reply.toolUses("Checking both.",
                        new FakeAnthropic.Call("mcp__proxy__Bash", "{\"command\":\"ls\"}"),
                        new FakeAnthropic.Call("mcp__proxy__get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}")),
                FakeAnthropic.Reply.text("Paris is ", "sunny."));
    }

    private static void assertSameCliAndResults(FakeAnthropic upstream, String big) throws Exception {
        List<FakeAnthropic.Recorded> requests = upstream.requests();
        assertEquals(2, requests.size(), "one model call per round");
        assertEquals(requests.get(0).headers().get(SESSION), requests.get(1).headers().get(SESSION), "one CLI process");
        assertEquals(Node.parse(WEATHER_SCHEMA), tool(requests.get(0), "mcp__proxy__get_weather").get("input_schema"),
                "the schema as given");
        List<Node> results = results(requests.get(1));
        assertEquals(2, results.size(), results.toString());
        assertTrue(results.stream().anyMatch(r -> text(r).equals(big)), "the 200 KB result, whole");
        assertTrue(results.stream().anyMatch(r -> text(r).equals("21 C and sunny")), results.toString());
    }

    private static final String BIG = "ls output line\n".repeat(13_334).substring(0, 200_000);

    private static String openAiTools() {
        return "[{\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"description\":\"Run a command\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"strict\":true,\"parameters\":"
                + WEATHER_SCHEMA + "}}]";
    }

    private static String quote(String s) {
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    @Test
    void openAiStreamedRoundTrip() throws Exception {
        openAiRoundTrip(true);
    }

    @Test
    void openAiWholeBodyRoundTrip() throws Exception {
        openAiRoundTrip(false);
    }

    private void openAiRoundTrip(boolean stream) throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            script(upstream);
            String head = "{\"model\":\"haiku\",\"stream\":" + stream + ",\"tools\":" + openAiTools() + ",\"messages\":[";
            String user = "{\"role\":\"user\",\"content\":\"Weather in Paris, and list files.\"}";
            HttpResponse<String> first = post(proxy, "/v1/chat/completions", head + user + "]}");
            assertEquals(200, first.statusCode(), first.body());
            List<String[]> calls = new ArrayList<>(); // id, name, arguments
            String said;
            if (stream) {
                StrictOpenAiStream.Choice choice = StrictOpenAiStream.parse(first.body(), false).choices().get(0);
                assertEquals("tool_calls", choice.finishReason());
                said = choice.content();
                choice.toolCalls().forEach(c -> calls.add(new String[] {c.id(), c.name(), c.arguments()}));
            } else {
                Node choice = Node.parse(first.body()).get("choices").elements().get(0);
                assertEquals("tool_calls", choice.text("finish_reason"));
                said = choice.get("message").text("content");
                choice.get("message").get("tool_calls").elements().forEach(c -> calls.add(new String[] {
                        c.text("id"), c.get("function").text("name"), c.get("function").text("arguments")}));
            }
            assertEquals(List.of("Bash", "get_weather"), calls.stream().map(c -> c[1]).toList());
            assertEquals("{\"city\":\"Paris\",\"unit\":\"celsius\"}", calls.get(1)[2]);
            assertEquals("Checking both.", said);

            // the assistant message as the SDKs send it back (the text and the calls), or as Continue does (no text)
            StringBuilder follow = new StringBuilder(head).append(user).append(",{\"role\":\"assistant\",\"content\":")
                    .append(stream ? quote(said) : "\"\"").append(",\"tool_calls\":[");
            for (int i = 0; i < calls.size(); i++) {
                follow.append(i == 0 ? "" : ",").append("{\"id\":\"").append(calls.get(i)[0]).append("\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"").append(calls.get(i)[1]).append("\",\"arguments\":")
                        .append(quote(calls.get(i)[2])).append("}}");
            }
            follow.append("]},{\"role\":\"tool\",\"tool_call_id\":\"").append(calls.get(0)[0]).append("\",\"content\":")
                    .append(quote(BIG)).append("},{\"role\":\"tool\",\"tool_call_id\":\"").append(calls.get(1)[0])
                    .append("\",\"content\":\"21 C and sunny\"}]}");
            HttpResponse<String> second = post(proxy, "/v1/chat/completions", follow.toString());
            assertEquals(200, second.statusCode(), second.body());
            String answer = stream ? StrictOpenAiStream.parse(second.body(), false).choices().get(0).content()
                    : Node.parse(second.body()).get("choices").elements().get(0).get("message").text("content");
            assertEquals("Paris is sunny.", answer);
            assertSameCliAndResults(upstream, BIG);
        }
    }

    @Test
    void anthropicStreamedRoundTrip() throws Exception {
        anthropicRoundTrip(true);
    }

    @Test
    void anthropicWholeBodyRoundTrip() throws Exception {
        anthropicRoundTrip(false);
    }

    private void anthropicRoundTrip(boolean stream) throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            script(upstream);
            String tools = "[{\"name\":\"Bash\",\"description\":\"Run a command\",\"input_schema\":{\"type\":\"object\","
                    + "\"properties\":{\"command\":{\"type\":\"string\"}}},\"cache_control\":{\"type\":\"ephemeral\"}},"
                    + "{\"name\":\"get_weather\",\"eager_input_streaming\":true,\"input_schema\":" + WEATHER_SCHEMA + "}]";
            String head = "{\"model\":\"haiku\",\"max_tokens\":1024,\"stream\":" + stream + ",\"tools\":" + tools + ",\"messages\":[";
            String user = "{\"role\":\"user\",\"content\":\"Weather in Paris, and list files.\"}";
            HttpResponse<String> first = post(proxy, "/v1/messages", head + user + "]}");
            assertEquals(200, first.statusCode(), first.body());
            List<String[]> calls = new ArrayList<>();
            String content;
            if (stream) {
                StrictAnthropicStream.Message m = StrictAnthropicStream.parse(first.body());
                assertEquals("tool_use", m.stopReason());
                for (StrictAnthropicStream.Block b : m.content()) {
                    if (b instanceof StrictAnthropicStream.ToolUse t) {
                        calls.add(new String[] {t.id(), t.name(), Node.parse(t.inputJson()).toJson()});
                    }
                }
            } else {
                Node m = Node.parse(first.body());
                assertEquals("tool_use", m.text("stop_reason"));
                m.get("content").elements().stream().filter(b -> "tool_use".equals(b.text("type")))
                        .forEach(b -> calls.add(new String[] {b.text("id"), b.text("name"), b.get("input").toJson()}));
            }
            assertEquals(List.of("Bash", "get_weather"), calls.stream().map(c -> c[1]).toList());
            content = "[{\"type\":\"text\",\"text\":\"Checking both.\"}";
            for (String[] c : calls) {
                content += ",{\"type\":\"tool_use\",\"id\":\"" + c[0] + "\",\"name\":\"" + c[1] + "\",\"input\":" + c[2] + "}";
            }
            content += "]";
            String follow = head + user + ",{\"role\":\"assistant\",\"content\":" + content + "},{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"tool_result\",\"tool_use_id\":\"" + calls.get(0)[0] + "\",\"content\":" + quote(BIG) + "},"
                    + "{\"type\":\"tool_result\",\"tool_use_id\":\"" + calls.get(1)[0]
                    + "\",\"content\":[{\"type\":\"text\",\"text\":\"21 C and sunny\"}]}]}]}";
            HttpResponse<String> second = post(proxy, "/v1/messages", follow);
            assertEquals(200, second.statusCode(), second.body());
            String answer = stream
                    ? ((StrictAnthropicStream.Text) StrictAnthropicStream.parse(second.body()).content().get(0)).text()
                    : Node.parse(second.body()).get("content").elements().get(0).text("text");
            assertEquals("Paris is sunny.", answer);
            assertSameCliAndResults(upstream, BIG);
        }
    }

    /** Claude Code as a client sends the most tools of any captured client: all reach the model as given. */
    @Test
    void theLargestCapturedToolListReachesTheModelWhole() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("Done."));
            Node captured = Node.parse(Files.readString(Path.of("src/test/resources/client-requests/claude-code/messages-01-first-turn.json")));
            String body = captured.get("body").toJson();
            HttpResponse<String> r = post(proxy, "/v1/messages", body);
            assertEquals(200, r.statusCode(), r.body());
            List<Node> sent = captured.get("body").get("tools").elements();
            assertTrue(sent.size() >= 12, "the captured list");
            for (Node t : sent) {
                Node upstreamTool = tool(upstream.requests().getFirst(), "mcp__proxy__" + t.text("name"));
                assertEquals(t.get("input_schema"), upstreamTool.get("input_schema"), t.text("name") + ": schema as given");
            }
        }
    }
}
