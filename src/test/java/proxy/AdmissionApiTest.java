package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import proxy.anthropic.StrictAnthropicStream;

/**
 * Requests that wait for a free CLI: a stream gets its headers and keep-alives while it waits,
 * and a wait that runs out is a 429 with Retry-After in the API's own envelope.
 */
class AdmissionApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of(), "--max-concurrent", "1", "--queue-timeout", "800ms",
                "--keep-alive", "100ms", "--warm", "0", "--live", "0");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anthropicStreamWaitsWithKeepAlivesThenGetsARateLimitEvent() throws Exception {
        try (InputStream busy = server.streamThatHangs()) {
            HttpResponse<String> r = server.post("/v1/messages", """
                    {"model":"opus","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
            assertEquals(200, r.statusCode(), "the stream opened while it waited");
            assertTrue(r.body().startsWith(": waiting\n\n"), r.body());
            assertTrue(r.body().contains("event: ping"), "pings while it waits: " + r.body());
            StrictAnthropicStream.StreamError e = org.junit.jupiter.api.Assertions.assertThrows(
                    StrictAnthropicStream.StreamError.class, () -> StrictAnthropicStream.parse(r.body()));
            assertEquals("rate_limit_error", e.type());
        }
    }

    @Test
    void openAiStreamWaitsWithKeepAlivesThenGetsAnErrorChunk() throws Exception {
        try (InputStream busy = server.streamThatHangs()) {
            HttpResponse<String> r = server.post("/v1/chat/completions", """
                    {"model":"opus","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().startsWith(": ping\n\n"), r.body());
            assertTrue(r.body().contains("\"type\":\"rate_limit_error\""), r.body());
            assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        }
    }

    @Test
    void wholeBodyWaitThatRunsOutIs429WithRetryAfter() throws Exception {
        try (InputStream busy = server.streamThatHangs()) {
            HttpResponse<String> r = server.post("/v1/messages", """
                    {"model":"opus","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
            assertEquals(429, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("retry-after").isPresent());
            StrictAnthropicStream.assertErrorBody(r.body(), "rate_limit_error");
            HttpResponse<String> o = server.post("/v1/chat/completions", """
                    {"model":"opus","messages":[{"role":"user","content":"hi"}]}""");
            assertEquals(429, o.statusCode(), o.body());
            assertEquals(Optional.of("1"), o.headers().firstValue("retry-after"));
        }
    }
}
