package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;

/**
 * The subscription's "third-party app" refusal, an HTTP 400 from upstream, through the real
 * CLI and both APIs. It used to reach clients as a bare invalid request, as if their request
 * were malformed; it is named (OpenAI {@code code: "third_party_app_refused"}) and says what
 * can change the outcome, still a 400 {@code invalid_request_error} so that every SDK raises
 * its usual bad-request error, and not retried.
 */
class ThirdPartyRefusalIT {

    /** The upstream's words as users reported them (anthropics/claude-code#45911). */
    private static final String REFUSAL = "Third-party apps now draw from your extra usage, not your plan limits. "
            + "We've added a $100 credit to get you started. Claim it at claude.ai/settings/usage and keep going.";
    private static final String NAMED = "Claude's subscription refused this request as coming from a third-party app. It said: ";

    @TempDir
    Path tmp;

    private TestServer proxy(FakeAnthropic upstream) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        upstream.reply(FakeAnthropic.Reply.error(400, "invalid_request_error", REFUSAL, Map.of()));
        return TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude", claude.toString(), "--warm", "0");
    }

    private static HttpResponse<String> post(TestServer proxy, String path, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void anthropicClientsGetANamedBadRequest() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            for (String stream : new String[] {"false", "true"}) {
                HttpResponse<String> r = post(proxy, "/v1/messages", """
                        {"model":"sonnet","max_tokens":64,"stream":%s,"messages":[{"role":"user","content":"Hi"}]}"""
                        .formatted(stream));
                assertEquals(400, r.statusCode(), r.body());
                assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
                Node error = Node.parse(r.body()).get("error");
                assertEquals("invalid_request_error", error.text("type"), r.body());
                String message = error.text("message");
                assertTrue(message.startsWith(NAMED), message);
                assertTrue(message.startsWith(NAMED + REFUSAL), "the upstream's words are kept: " + message);
                assertTrue(message.contains("--system-prompt append"), message);
            }
        }
    }

    @Test
    void openAiClientsGetTheCode() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            for (String stream : new String[] {"false", "true"}) {
                HttpResponse<String> r = post(proxy, "/v1/chat/completions", """
                        {"model":"sonnet","stream":%s,"messages":[{"role":"user","content":"Hi"}]}""".formatted(stream));
                assertEquals(400, r.statusCode(), r.body());
                assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
                Node error = Node.parse(r.body()).get("error");
                assertEquals("invalid_request_error", error.text("type"), r.body());
                assertEquals("third_party_app_refused", error.text("code"), r.body());
                assertTrue(error.text("message").startsWith(NAMED), r.body());
            }
        }
    }
}
