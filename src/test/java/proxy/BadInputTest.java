package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import proxy.http.Bodies;
import proxy.json.Node;

/**
 * Issue 12: bad input is a 400 (or 413) in the route's own envelope, never a 5xx and never a
 * connection closed without an answer; and the server serves a normal request afterwards.
 */
class BadInputTest {

    /** A POST route, a valid body for it, and whether it answers in the Anthropic envelope. */
    record Api(String path, String valid, boolean anthropic) {
        /** The valid body with its model replaced by the raw JSON {@code modelJson}. */
        String withModel(String modelJson) {
            return valid.replaceFirst("\"model\":\"[^\"]*\"", "\"model\":" + java.util.regex.Matcher.quoteReplacement(modelJson));
        }

        /** The valid body with one more field, {@code "x": valueJson}, first. */
        String withExtra(String valueJson) {
            return "{\"x\":" + valueJson + "," + valid.substring(1);
        }
    }

    static final List<Api> APIS = List.of(
            new Api("/v1/messages", "{\"model\":\"sonnet\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true),
            new Api("/v1/messages/count_tokens", "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true),
            new Api("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false),
            new Api("/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\"}", false));

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, byte[] body) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    /** Asserts status, content type and envelope; returns the error message. */
    static String assertError(Api api, int status, byte[] body) throws Exception {
        HttpResponse<String> r = post(api.path(), body);
        String context = api.path() + " -> " + r.statusCode() + " " + r.body();
        assertEquals(status, r.statusCode(), context);
        assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type"), context);
        assertEnvelope(api, r.body(), context);
        assertStillServes(api);
        return Node.parse(r.body()).get("error").text("message");
    }

    static void assertEnvelope(Api api, String json, String context) throws Exception {
        Node n = Node.parse(json);
        Node error = n.get("error");
        assertTrue(error.isObject(), context);
        assertTrue(error.text("message") != null && !error.text("message").isEmpty(), context);
        assertTrue(error.text("type") != null, context);
        if (api.anthropic()) {
            assertEquals("error", n.text("type"), context);
        } else {
            for (String field : List.of("message", "type", "param", "code")) {
                assertTrue(error.has(field), context + ": no " + field);
            }
        }
    }

    static void assertStillServes(Api api) throws Exception {
        HttpResponse<String> r = server.post(api.path(), api.valid());
        assertEquals(200, r.statusCode(), api.path() + " after bad input: " + r.body());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void base64ImageWithoutMediaTypeIs400NamingIt() throws Exception {
        for (Api api : APIS.subList(0, 2)) {
            String body = api.valid().replace("\"content\":\"hi\"",
                    "\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"data\":\"iVBORw0KGgo=\"}}]");
            String message = assertError(api, 400, utf8(body));
            assertTrue(message.startsWith("messages.0.content.0.source.media_type:"), message);
        }
    }

    @Test
    void badModelNamesAre400NamingModel() throws Exception {
        List<String> models = List.of("\"a\\u0000b\"", "\"so\\nnet\"", "\"x\\u007f\"", "\"\\ud800\"",
                "\"" + "m".repeat(257) + "\"", "\"" + "m".repeat(1024 * 1024) + "\"");
        for (Api api : APIS) {
            for (String model : models) {
                String message = assertError(api, 400, utf8(api.withModel(model)));
                assertTrue(message.contains("model") || message.contains("lone surrogate"), message);
                if (!api.anthropic() && !model.contains("ud800")) {
                    HttpResponse<String> r = server.post(api.path(), api.withModel(model));
                    assertEquals("model", Node.parse(r.body()).get("error").text("param"), r.body());
                }
            }
        }
    }

    @Test
    void deepNestingIs400SayingTheLimit() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        for (Api api : APIS) {
            String message = assertError(api, 400, utf8(api.withExtra(deep)));
            assertTrue(message.contains("nested deeper than 128 levels"), message);
        }
    }

    @Test
    void longNumberIs400SayingTheLimit() throws Exception {
        for (String number : List.of("1".repeat(101), "1." + "1".repeat(200), "1e" + "1".repeat(200))) {
            for (Api api : APIS) {
                String message = assertError(api, 400, utf8(api.withExtra(number)));
                assertTrue(message.contains("longer than 100 digits") || message.startsWith("Invalid JSON"), message);
            }
        }
        for (Api api : APIS) {
            String message = assertError(api, 400, utf8(api.withExtra("1".repeat(1000))));
            assertTrue(message.contains("number longer than 100 digits"), message);
        }
    }

    @Test
    void longKeyIs400SayingTheLimit() throws Exception {
        for (Api api : APIS) {
            String body = "{\"" + "k".repeat(5000) + "\":1," + api.valid().substring(1);
            String message = assertError(api, 400, utf8(body));
            assertTrue(message.contains("key longer than 4096 characters"), message);
        }
    }

    @Test
    void loneSurrogatesAre400() throws Exception {
        for (Api api : APIS) {
            String escaped = api.valid().replace("\"hi\"", "\"h\\ud800i\"");
            String message = assertError(api, 400, utf8(escaped));
            assertTrue(message.contains("lone surrogate"), message);

            String lowFirst = api.valid().replace("\"hi\"", "\"\\udc00\\ud800\"");
            assertError(api, 400, utf8(lowFirst));

            byte[] raw = utf8(api.valid().replace("\"hi\"", "\"h@i\""));
            byte[] withSurrogate = splice(raw, "@", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
            message = assertError(api, 400, withSurrogate);
            assertTrue(message.contains("Invalid JSON") || message.contains("surrogate"), message);

            byte[] badUtf8 = splice(raw, "@", new byte[] {(byte) 0xC3, (byte) 0x28});
            assertError(api, 400, badUtf8);
            byte[] ff = splice(raw, "@", new byte[] {(byte) 0xFF});
            assertError(api, 400, ff);

            String key = "{\"a\\ud800\":1," + api.valid().substring(1);
            message = assertError(api, 400, utf8(key));
            assertTrue(message.contains("lone surrogate"), message);
        }
    }

    @Test
    void pairedSurrogatesAreFine() throws Exception {
        for (Api api : APIS) {
            HttpResponse<String> r = server.post(api.path(), api.valid().replace("\"hi\"", "\"h\\ud83d\\ude00i \uD83D\uDE00\""));
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void otherEncodingsAndBinaryAre400() throws Exception {
        for (Api api : APIS) {
            assertError(api, 400, new byte[] {0, 0, 0, '{', 0, 0, 0, '}'});
            assertError(api, 400, new byte[] {0, 0, 0, '{', 0, 0});
            assertError(api, 400, new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', (byte) 0xD8});
            // jackson detects UTF-16 and UTF-32 from the first bytes (RFC 4627 style): such a body is understood
            HttpResponse<String> r = post(api.path(), api.valid().getBytes(StandardCharsets.UTF_16BE));
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** Messages and parts are counted: a body of a million tiny ones is refused naming the limit, before it costs memory. */
    @Test
    void tooManyObjectsIs413NamingTheLimit() throws Exception {
        for (Api api : APIS) {
            boolean responses = api.path().equals("/v1/responses");
            StringBuilder parts = new StringBuilder("[");
            for (int i = 0; i <= Bodies.MAX_OBJECTS; i++) {
                parts.append(i == 0 ? "" : ",").append(responses ? "{\"type\":\"input_text\",\"text\":\"a\"}"
                        : "{\"type\":\"text\",\"text\":\"a\"}");
            }
            String content = parts.append(']').toString();
            String body = api.valid().replace("\"hi\"", responses ? "[{\"role\":\"user\",\"content\":" + content + "}]" : content);
            String message = assertError(api, 413, utf8(body));
            assertTrue(message.contains("more than " + Bodies.MAX_OBJECTS + " JSON objects"), message);
            assertTrue(message.contains("max_objects"), message);
        }
    }

    /**
     * A body over the size limit gets its 413, whether its length was declared or it came
     * chunked: the body is dropped as it arrives, never held, so the client that sends it all
     * before reading still reads the answer.
     */
    @Test
    void bodiesOverTheLimitAre413WhetherDeclaredOrChunked() throws Exception {
        byte[] big = new byte[40 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        for (boolean chunked : new boolean[] {false, true}) {
            java.net.URI uri = server.uri("/v1/messages");
            try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout(30_000);
                var out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + big.length + "\r\n") + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                if (chunked) {
                    for (int at = 0; at < big.length; at += 1 << 20) {
                        out.write((Integer.toHexString(1 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(big, at, 1 << 20);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(big);
                }
                out.flush();
                String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 413", answer, chunked ? "chunked" : "declared");
            }
        }
        assertStillServes(APIS.get(0));
    }

    static byte[] splice(byte[] body, String marker, byte[] insert) {
        String s = new String(body, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(marker);
        byte[] out = new byte[body.length - 1 + insert.length];
        System.arraycopy(body, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(body, at + 1, out, at + insert.length, body.length - at - 1);
        return out;
    }
}
