package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** CORS: off by default; with {@code --cors-origins}, preflights answered before the key check. */
class CorsTest {

    private static final String KEY = "sk-proxy-cors";
    private static final String APP = "https://app.example";
    private static final String EXPOSE = "request-id, x-request-id, retry-after, x-should-retry, x-claude-proxy-ignored, "
            + "x-claude-proxy-cost-usd";

    private static HttpResponse<String> preflight(TestServer s, String path, String origin, String method, String headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (headers != null) {
            b.header("Access-Control-Request-Headers", headers);
        }
        return s.send(b.build());
    }

    private static HttpResponse<String> get(TestServer s, String path, String... headers)
            throws IOException, InterruptedException {
        return s.send(HttpRequest.newBuilder(s.uri(path)).GET().headers(headers).build());
    }

    @Test
    void preflightFromAnAllowedOriginNeedsNoKey() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY, "--cors-origins", APP + ",https://b.example")) {
            HttpResponse<String> r = preflight(s, "/v1/messages", APP, "POST", "x-api-key,content-type,anthropic-version");
            assertEquals(204, r.statusCode());
            assertEquals(Optional.of(APP), r.headers().firstValue("access-control-allow-origin"));
            assertEquals(Optional.of("POST"), r.headers().firstValue("access-control-allow-methods"));
            assertEquals(Optional.of("x-api-key,content-type,anthropic-version"),
                    r.headers().firstValue("access-control-allow-headers"));
            assertEquals(Optional.of("600"), r.headers().firstValue("access-control-max-age"));
            assertEquals(List.of("Origin"), r.headers().allValues("vary"));

            HttpResponse<String> responses = preflight(s, "/v1/responses/resp_1", "https://b.example", "DELETE", null);
            assertEquals(204, responses.statusCode());
            assertEquals(Optional.of("GET, DELETE"), responses.headers().firstValue("access-control-allow-methods"));
            String fixed = responses.headers().firstValue("access-control-allow-headers").orElseThrow();
            for (String h : new String[] {"authorization", "x-api-key", "content-type", "anthropic-version", "openai-beta"}) {
                assertEquals(true, fixed.contains(h), fixed);
            }
        }
    }

    @Test
    void actualRequestsFromAnAllowedOriginGetAllowOriginAndExposeHeaders() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY, "--cors-origins", APP)) {
            HttpResponse<String> ok = get(s, "/v1/models", "Origin", APP, "Authorization", "Bearer " + KEY);
            assertEquals(200, ok.statusCode());
            assertEquals(Optional.of(APP), ok.headers().firstValue("access-control-allow-origin"));
            assertEquals(Optional.of(EXPOSE), ok.headers().firstValue("access-control-expose-headers"));
            assertEquals(Optional.of("Origin"), ok.headers().firstValue("vary"));
            // a 401 must be readable by the page too, or it cannot tell the user the key is wrong
            HttpResponse<String> refused = get(s, "/v1/models", "Origin", APP);
            assertEquals(401, refused.statusCode());
            assertEquals(Optional.of(APP), refused.headers().firstValue("access-control-allow-origin"));
        }
    }

    @Test
    void anyOriginWithStar() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--cors-origins", "*")) {
            HttpResponse<String> r = get(s, "/health", "Origin", "https://whoever.example");
            assertEquals(Optional.of("*"), r.headers().firstValue("access-control-allow-origin"));
            assertEquals(204, preflight(s, "/v1/chat/completions", "http://localhost:3000", "POST", null).statusCode());
        }
    }

    @Test
    void otherOriginsGetNoCorsHeadersAndTheirPreflightIs403() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY, "--cors-origins", APP)) {
            HttpResponse<String> pre = preflight(s, "/v1/messages", "https://evil.example", "POST", "x-api-key");
            assertEquals(403, pre.statusCode());
            assertEquals(Optional.empty(), pre.headers().firstValue("access-control-allow-origin"));
            assertEquals(Optional.empty(), pre.headers().firstValue("access-control-allow-methods"));

            HttpResponse<String> r = get(s, "/v1/models", "Origin", "https://evil.example", "x-api-key", KEY);
            assertEquals(200, r.statusCode());
            assertEquals(Optional.empty(), r.headers().firstValue("access-control-allow-origin"));
            assertEquals(Optional.empty(), r.headers().firstValue("access-control-expose-headers"));
        }
    }

    @Test
    void corsOffByDefaultOptionsStays405() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            HttpResponse<String> r = preflight(s, "/v1/messages", APP, "POST", "content-type");
            assertEquals(405, r.statusCode());
            assertEquals(Optional.of("POST"), r.headers().firstValue("allow"));
            assertEquals(Optional.empty(), r.headers().firstValue("access-control-allow-origin"));
            HttpResponse<String> g = get(s, "/v1/models", "Origin", APP);
            assertEquals(200, g.statusCode());
            assertEquals(Optional.empty(), g.headers().firstValue("access-control-allow-origin"));
        }
    }
}
