package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthAndRoutingTest {

    @Test
    void healthIsOkWhenTheCliAnswers() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(200, r.statusCode());
            assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
            assertEquals("""
                    {"status":"ok","version":"%s","cli":{"path":"%s","version":"2.1.331 (Claude Code)","ok":true,\
                    "credentials":"ANTHROPIC_API_KEY"}}"""
                    .formatted(Version.VALUE, FakeCli.SCRIPT), r.body());
        }
    }

    @Test
    void healthIsDegradedWhenTheCliIsMissing() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--claude", "/no/such/claude")) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(503, r.statusCode());
            assertEquals("""
                    {"status":"degraded","version":"%s","cli":{"path":"/no/such/claude","version":null,"ok":false,\
                    "error":"the CLI '/no/such/claude' does not exist or is not executable","credentials":"ANTHROPIC_API_KEY"}}"""
                    .formatted(Version.VALUE),
                    r.body());
        }
    }

    @Test
    void healthSaysNoCredentialsWhenTheCliHasNone(@TempDir Path home) throws Exception {
        try (TestServer s = TestServer.start(Map.of("ANTHROPIC_API_KEY", "", "HOME", home.toString()))) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(200, r.statusCode(), "the proxy works; a login needs no restart");
            assertEquals("""
                    {"status":"no_credentials","version":"%s","cli":{"path":"%s","version":"2.1.331 (Claude Code)","ok":true,\
                    "credentials":null,"warning":"The Claude CLI has no credentials, so requests fail with 401: log the CLI in \
                    with '%s auth login' (for the CLI ./run.sh installed: '.claude-cli/node_modules/.bin/claude auth login'), \
                    or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN (from 'claude setup-token') in the proxy's environment."}}"""
                    .formatted(Version.VALUE, FakeCli.SCRIPT, FakeCli.SCRIPT), r.body());
        }
    }

    @Test
    void withoutTheKeyHealthSaysNoCredentialsAndNothingMore(@TempDir Path home) throws Exception {
        try (TestServer s = TestServer.start(Map.of("ANTHROPIC_API_KEY", "", "HOME", home.toString()), "--api-key", "k-123")) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(200, r.statusCode());
            assertEquals("{\"status\":\"no_credentials\"}", r.body());
        }
    }

    @Test
    void healthIsDegradedWhenTheCliIsTooOld() throws Exception {
        try (TestServer s = TestServer.start(Map.of("FAKE_CLAUDE_VERSION", "2.0.0 (Claude Code)"))) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("\"error\":\"the CLI is version 2.0.0, older than 2.1.197,"), r.body());
        }
    }

    @Test
    void healthIsDegradedWhenTheCliFails() throws Exception {
        try (TestServer s = TestServer.start(Map.of("FAKE_CLAUDE_VERSION_EXIT", "1"))) {
            HttpResponse<String> r = s.get("/health");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("\"status\":\"degraded\""), r.body());
            assertTrue(r.body().contains("\"error\":\"'claude --version' exited with 1: fake claude: broken\""), r.body());
        }
    }

    @Test
    void unknownPathsAre404InTheOpenAiEnvelope() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            for (String path : new String[] {"/nope", "/index.html", "/healthz", "/health/x", "/v2/messages"}) {
                HttpResponse<String> r = s.get(path);
                assertEquals(404, r.statusCode(), path);
                assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"));
                assertEquals("""
                        {"error":{"message":"Invalid URL (GET %s)","type":"invalid_request_error","param":null,"code":null}}"""
                        .formatted(path), r.body());
            }
        }
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            HttpResponse<String> r = s.post("/health", "{}");
            assertEquals(405, r.statusCode());
            assertEquals(Optional.of("GET"), r.headers().firstValue("allow"));
            assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
            assertEquals("""
                    {"error":{"message":"Method POST is not allowed on /health; use GET","type":"invalid_request_error",\
                    "param":null,"code":null}}""", r.body());
        }
    }

    /**
     * The first request-id was kept as an exchange attribute, and the JDK keeps exchange
     * attributes per context, not per exchange: every later request on that context got the
     * first one's id, and no request-id header at all.
     */
    @Test
    void everyResponseHasItsOwnRequestId() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            HttpResponse<String> a = s.get("/health");
            HttpResponse<String> b = s.get("/health");
            HttpResponse<String> c = s.send(HttpRequest.newBuilder(s.uri("/health/x")).GET().build());
            String ida = a.headers().firstValue("request-id").orElseThrow();
            String idb = b.headers().firstValue("request-id").orElseThrow();
            String idc = c.headers().firstValue("request-id").orElseThrow();
            assertTrue(ida.matches("req_[0-9a-f]{24}"), ida);
            assertNotEquals(ida, idb);
            assertNotEquals(idb, idc);
            assertEquals(Optional.of(idc), c.headers().firstValue("x-request-id"));
        }
    }
}
