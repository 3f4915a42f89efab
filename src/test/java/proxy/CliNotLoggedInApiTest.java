package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CLI with nothing to log in with (the real CLI's output, capture 120-not-logged-in) through
 * the HTTP APIs. It was a retryable 502 "Not logged in · Please run /login", which an SDK
 * retried and no API client could act on; it is a 401 that is not retried, in each API's
 * envelope, saying what to run on the proxy's machine. Streamed or not: the failure comes
 * before any output, so no stream has started.
 */
class CliNotLoggedInApiTest {

    private static final String ADVICE = "The Claude CLI behind this proxy is not logged in, so it cannot answer. On the"
            + " proxy's machine, log the CLI in with 'claude auth login' (for the CLI ./run.sh installed:"
            + " '.claude-cli/node_modules/.bin/claude auth login'), or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN"
            + " (from 'claude setup-token') in the proxy's environment; then retry.";

    @TempDir
    Path home;

    private TestServer start() throws Exception {
        return TestServer.start(Map.of("FAKE_CLAUDE_CASE", "120-not-logged-in", "ANTHROPIC_API_KEY", "", "HOME", home.toString()),
                "--warm", "0");
    }

    @Test
    void messagesAnswerAnAuthenticationError() throws Exception {
        try (TestServer s = start()) {
            for (String stream : new String[] {"false", "true"}) {
                HttpResponse<String> r = s.post("/v1/messages", """
                        {"model":"sonnet","max_tokens":16,"stream":%s,"messages":[{"role":"user","content":"hi"}]}"""
                        .formatted(stream));
                assertEquals(401, r.statusCode(), r.body());
                assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
                assertEquals("""
                        {"type":"error","error":{"type":"authentication_error","message":"%s"},"request_id":"%s"}"""
                        .formatted(ADVICE, r.headers().firstValue("request-id").orElseThrow()), r.body());
            }
        }
    }

    @Test
    void chatCompletionsAnswerA401InTheOpenAiEnvelope() throws Exception {
        try (TestServer s = start()) {
            for (String stream : new String[] {"false", "true"}) {
                HttpResponse<String> r = s.post("/v1/chat/completions", """
                        {"model":"sonnet","stream":%s,"messages":[{"role":"user","content":"hi"}]}""".formatted(stream));
                assertEquals(401, r.statusCode(), r.body());
                assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
                assertEquals("""
                        {"error":{"message":"%s","type":"invalid_request_error","param":null,"code":null}}"""
                        .formatted(ADVICE), r.body());
            }
        }
    }
}
