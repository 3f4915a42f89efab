package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.anthropic.StrictAnthropicStream;
import proxy.json.Node;
import proxy.openai.StrictOpenAiStream;

/**
 * The whole path: an SDK-shaped HTTP request to the proxy, the real CLI (npm, pinned) it
 * starts, a fake Anthropic upstream behind that, and the stream back through strict parsers.
 */
class ProxyRealCliIT {

    @TempDir
    Path tmp;

    private TestServer proxy(FakeAnthropic upstream) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        return TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude", claude.toString());
    }

    @Test
    void anthropicStreamWithHistory() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("Six", "."));
            HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/messages"))
                    .header("anthropic-version", "2023-06-01").header("x-api-key", "unused")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"sonnet","max_tokens":256,"stream":true,"system":"Answer with a number.",
                             "messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"Four."},
                                         {"role":"user","content":"3+3?"}]}""")).build());
            assertEquals(200, r.statusCode(), r.body());
            var message = StrictAnthropicStream.parse(r.body());
            assertEquals("Six.", ((StrictAnthropicStream.Text) message.content().get(0)).text());
            assertEquals("end_turn", message.stopReason());

            String request = upstream.requests().getLast().body();
            assertTrue(request.contains("Answer with a number."), "system text reached the API");
            assertTrue(request.contains("\"role\":\"assistant\""), "history went as turns with roles");
            assertEquals(256, Node.parse(request).get("max_tokens").longValue(0), "max_tokens reached the API");
        }
    }

    @Test
    void openAiStreamWithUsage() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("Hello", " there"));
            HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                    .header("authorization", "Bearer unused")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},
                             "messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"Hi"}]}""")).build());
            assertEquals(200, r.statusCode(), r.body());
            var result = StrictOpenAiStream.parse(r.body(), true);
            assertEquals("Hello there", result.choices().get(0).content());
            assertEquals("stop", result.choices().get(0).finishReason());
            assertTrue(result.usage().get("completion_tokens").longValue(0) > 0);
            assertTrue(Node.parse(upstream.requests().getLast().body()).get("model").text().startsWith("claude-haiku"),
                    "gpt-4o-mini ran as haiku");
        }
    }
}
