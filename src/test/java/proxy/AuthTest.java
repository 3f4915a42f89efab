package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional API key: both SDK header styles, 401 in each API's envelope, and an open but terse /health. */
class AuthTest {

    private static final String KEY = "sk-proxy-0123456789abcdef";
    private static final String MESSAGE = """
            {"model":"sonnet","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
    private static final String ANTHROPIC_401 = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
            + "\"message\":\"invalid x-api-key\"},\"request_id\":\"%s\"}";
    private static final String OPENAI_401 = "{\"error\":{\"message\":\"Incorrect API key provided.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";

    private static HttpResponse<String> post(TestServer s, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return s.send(b.build());
    }

    private static HttpResponse<String> get(TestServer s, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return s.send(b.build());
    }

    private static void assertAnthropic401(HttpResponse<String> r) {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
        String id = r.headers().firstValue("request-id").orElseThrow();
        assertEquals(ANTHROPIC_401.formatted(id), r.body());
    }

    private static void assertOpenAi401(HttpResponse<String> r) {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Optional.of("false"), r.headers().firstValue("x-should-retry"));
        assertEquals(OPENAI_401, r.body());
    }

    @Test
    void eitherHeaderIsAccepted() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY)) {
            assertEquals(200, post(s, "/v1/messages", MESSAGE, "x-api-key", KEY, "anthropic-version", "2023-06-01")
                    .statusCode());
            assertEquals(200, post(s, "/v1/messages", MESSAGE, "Authorization", "Bearer " + KEY,
                    "anthropic-version", "2026-10-21").statusCode());
            assertEquals(200, get(s, "/v1/models", "Authorization", "Bearer " + KEY).statusCode());
            assertEquals(200, get(s, "/openai/v1/models", "x-api-key", KEY).statusCode());
        }
    }

    @Test
    void missingOrWrongKeyIs401InEachApisEnvelope() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY)) {
            String[][] wrong = {{}, {"x-api-key", "nope"}, {"Authorization", "Bearer nope"}, {"Authorization", KEY}};
            for (String[] h : wrong) {
                String[] anthropic = concat(h, "anthropic-version", "2023-06-01");
                assertAnthropic401(post(s, "/v1/messages", MESSAGE, anthropic));
                assertAnthropic401(post(s, "/v1/messages/count_tokens", MESSAGE, anthropic));
                assertAnthropic401(get(s, "/v1/models", anthropic)); // shared path: Anthropic's client, Anthropic's shape
                assertOpenAi401(post(s, "/v1/chat/completions", "{}", h));
                assertOpenAi401(post(s, "/openai/v1/responses", "{}", h));
                assertOpenAi401(get(s, "/v1/responses/resp_x", h));
                assertOpenAi401(get(s, "/v1/models", h));
                assertOpenAi401(get(s, "/v1/models/sonnet", h));
                assertOpenAi401(get(s, "/no/such/path", h)); // unknown paths do not tell what exists
            }
        }
    }

    @Test
    void nearMissesAreRejected() throws Exception {
        String sameLength = KEY.substring(0, KEY.length() - 1) + "0";
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY)) {
            for (String candidate : new String[] {sameLength, KEY.substring(0, KEY.length() - 1), KEY + "x",
                    KEY.toUpperCase(), ""}) {
                assertOpenAi401(get(s, "/v1/models", "Authorization", "Bearer " + candidate));
                assertOpenAi401(get(s, "/v1/models", "x-api-key", candidate.isEmpty() ? " " : candidate));
            }
            // one wrong header does not spoil a right one
            assertEquals(200, get(s, "/v1/models", "Authorization", "Bearer nope", "x-api-key", KEY).statusCode());
        }
    }

    @Test
    void healthIsOpenButSaysOnlyTheStatusWithoutTheKey() throws Exception {
        try (TestServer s = TestServer.start(Map.of(), "--api-key", KEY)) {
            HttpResponse<String> open = get(s, "/health");
            assertEquals(200, open.statusCode());
            assertEquals("{\"status\":\"ok\"}", open.body());
            assertEquals("{\"status\":\"ok\"}", get(s, "/health", "x-api-key", "nope").body());
            HttpResponse<String> full = get(s, "/health", "Authorization", "Bearer " + KEY);
            assertEquals(200, full.statusCode());
            assertTrue(full.body().contains("\"cli\":{\"path\":\"" + FakeCli.SCRIPT + "\""), full.body());
        }
    }

    @Test
    void withoutAKeyEverythingIsOpenAsBefore() throws Exception {
        try (TestServer s = TestServer.start(Map.of())) {
            assertEquals(200, post(s, "/v1/messages", MESSAGE, "anthropic-version", "2023-06-01").statusCode());
            assertEquals(200, get(s, "/v1/models", "x-api-key", "anything").statusCode());
            assertTrue(get(s, "/health").body().contains("\"cli\":"));
        }
    }

    @Test
    void keyFromTheEnvironment() throws Exception {
        try (TestServer s = TestServer.start(Map.of("CLAUDE_PROXY_API_KEY", KEY))) {
            assertOpenAi401(get(s, "/v1/models"));
            assertEquals(200, get(s, "/v1/models", "x-api-key", KEY).statusCode());
        }
    }

    @Test
    void keyFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "  " + KEY + "  \nsecond line is ignored\n");
        try (TestServer s = TestServer.start(Map.of(), "--api-key-file", file.toString())) {
            assertOpenAi401(get(s, "/v1/models", "x-api-key", "second line is ignored"));
            assertEquals(200, get(s, "/v1/models", "Authorization", "Bearer " + KEY).statusCode());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
