package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;
import proxy.responses.StrictResponsesStream;

/**
 * {@code /v1/responses} with the real CLI and {@link FakeAnthropic}: a function call round trip
 * (streamed and not, and with the whole history re-sent as Codex does), and
 * {@code previous_response_id} continuing on the live CLI, or with the history seeded once that
 * CLI is gone.
 */
class ResponsesIT {

    private static final String SESSION = "x-claude-code-session-id";
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"strict\":true,"
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
            + "\"additionalProperties\":false}},{\"type\":\"web_search\"}]";

    @TempDir
    Path tmp;

    private TestServer proxy(FakeAnthropic upstream, String... flags) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        List<String> args = new java.util.ArrayList<>(List.of("--claude", claude.toString(), "--warm", "0"));
        args.addAll(List.of(flags));
        return TestServer.start(RealCli.env(home, upstream.baseUrl()), args.toArray(String[]::new));
    }

    private static HttpResponse<String> post(TestServer proxy, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/responses")).header("content-type", "application/json")
                .header("authorization", "Bearer unused").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The response object of a 200 answer, streamed or not (a stream is checked strictly first). */
    private static Node response(HttpResponse<String> r, boolean stream) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return stream ? StrictResponsesStream.parse(r.body()).response() : Node.parse(r.body());
    }

    private static String text(Node response) {
        StringBuilder sb = new StringBuilder();
        for (Node item : response.get("output").elements()) {
            if ("message".equals(item.text("type"))) {
                item.get("content").elements().forEach(c -> sb.append(String.valueOf(c.text("text"))));
            }
        }
        return sb.toString();
    }

    private static Node call(Node response) {
        return response.get("output").elements().stream().filter(i -> "function_call".equals(i.text("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no function_call in " + response.toJson()));
    }

    @Test
    void functionCallRoundTripStreamed() throws Exception {
        roundTrip(true);
    }

    @Test
    void functionCallRoundTripWhole() throws Exception {
        roundTrip(false);
    }

    /** Stored: the follow-up names the previous response and sends only the output of the call. */
    private void roundTrip(boolean stream) throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__get_weather", "{\"city\":\"Paris\"}"),
                    FakeAnthropic.Reply.text("Sunny in ", "Paris."));
            Node first = response(post(proxy, "{\"model\":\"gpt-4o\",\"stream\":" + stream + "," + TOOLS
                    + ",\"instructions\":\"Be brief.\",\"input\":\"Weather in Paris?\"}"), stream);
            Node call = call(first);
            assertEquals("get_weather", call.text("name"));
            assertEquals("{\"city\":\"Paris\"}", call.text("arguments"));

            Node second = response(post(proxy, "{\"model\":\"gpt-4o\",\"stream\":" + stream + "," + TOOLS
                    + ",\"instructions\":\"Be brief.\",\"previous_response_id\":\"" + first.text("id") + "\",\"input\":["
                    + "{\"type\":\"function_call_output\",\"call_id\":\"" + call.text("call_id") + "\",\"output\":\"21 C\"}]}"), stream);
            assertEquals("Sunny in Paris.", text(second));
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertEquals(2, requests.size());
            assertEquals(requests.get(0).headers().get(SESSION), requests.get(1).headers().get(SESSION), "the held CLI");
            assertTrue(requests.get(1).body().contains("\"21 C\""), requests.get(1).body());
        }
    }

    @Test
    void storeFalseWithTheWholeHistoryResent() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__get_weather", "{\"city\":\"Oslo\"}"),
                    FakeAnthropic.Reply.text("Cold."), FakeAnthropic.Reply.text("You asked about Oslo."));
            String user = "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Weather in Oslo?\"}]}";
            String head = "{\"model\":\"gpt-4o\",\"stream\":true,\"store\":false," + TOOLS + ",\"input\":[";
            Node first = response(post(proxy, head + user + "]}"), true);
            Node call = call(first);
            String output = "{\"type\":\"function_call_output\",\"call_id\":\"" + call.text("call_id") + "\",\"output\":\"-5 C\"}";
            Node second = response(post(proxy, head + user + "," + call.toJson() + "," + output + "]}"), true);
            assertEquals("Cold.", text(second));
            String answer = second.get("output").elements().getLast().toJson();
            Node third = response(post(proxy, head + user + "," + call.toJson() + "," + output + "," + answer
                    + ",{\"role\":\"user\",\"content\":\"Which city?\"}]}"), true);
            assertEquals("You asked about Oslo.", text(third));
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertEquals(3, requests.size());
            assertEquals(1, requests.stream().map(r -> r.headers().get(SESSION)).distinct().count(),
                    "one CLI for the whole re-sent conversation");
        }
    }

    @Test
    void previousResponseIdAfterTheCliIsGoneSeedsTheHistory() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream, "--live", "0")) {
            upstream.reply(FakeAnthropic.Reply.text("The code word is ", "heron."), FakeAnthropic.Reply.text("heron"));
            Node first = response(post(proxy, "{\"model\":\"gpt-4o\",\"input\":\"Remember the code word.\"}"), false);
            Node second = response(post(proxy, "{\"model\":\"gpt-4o\",\"previous_response_id\":\"" + first.text("id")
                    + "\",\"input\":\"What is the code word?\"}"), false);
            assertEquals("heron", text(second));
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertNotEquals(requests.get(0).headers().get(SESSION), requests.get(1).headers().get(SESSION), "a new CLI");
            String body = requests.get(1).body();
            assertTrue(body.indexOf("Remember the code word.") < body.indexOf("The code word is heron.")
                    && body.indexOf("The code word is heron.") < body.indexOf("What is the code word?"), body);
            assertTrue(body.contains("\"role\":\"assistant\""), "the answer seeded as the model's own turn: " + body);
        }
    }
}
