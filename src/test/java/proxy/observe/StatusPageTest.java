package proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import proxy.TestServer;
import proxy.json.Node;

/**
 * The status page at {@code /} and the {@code /status} JSON its script reads, over plain HTTP:
 * the page is one self-contained file under a strict CSP, open like {@code /health}, while its
 * data needs the API key when one is set. {@link StatusPageIT} runs the script in a browser.
 */
class StatusPageTest {

    private static final String PROMPT = "a prompt that must not show on the status page";

    @Test
    void thePageIsOneFileThatLoadsNothingFromElsewhere() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0")) {
            HttpResponse<String> page = server.get("/");
            assertEquals(200, page.statusCode());
            assertEquals(Optional.of("text/html; charset=utf-8"), page.headers().firstValue("content-type"));
            String csp = page.headers().firstValue("content-security-policy").orElse("");
            assertTrue(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"), csp);
            assertTrue(page.body().contains("<script>") && page.body().contains("id=\"recent\""), "the page, not a placeholder");

            Matcher link = Pattern.compile("(?i)\\b(src|href|action)\\s*=\\s*[\"']?\\s*(https?:|//)").matcher(page.body());
            assertFalse(link.find(), () -> "an external asset: " + page.body().substring(link.start(), link.end() + 40));
            assertFalse(page.body().contains("<script src"), "inline script only");
            assertFalse(Pattern.compile("<[^>]+\\son[a-z]+\\s*=").matcher(page.body()).find(),
                    "no inline event handler attributes: the CSP blocks them");
            assertFalse(page.body().contains("innerHTML"), "data goes into the page as text");
            assertTrue(page.body().length() < 30_000, "small: " + page.body().length());
        }
    }

    @Test
    void statusCountsARequestAndListsItWithoutItsText() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0")) {
            Node before = status(server);
            assertEquals(0, before.get("counters").get("requests_in_flight").longValue(-1), "not the /status call itself");
            assertEquals(0, before.get("counters").get("cli_spawns").longValue(-1));
            assertFalse(before.text("version").isEmpty());
            assertFalse(before.text("started").isEmpty());

            HttpResponse<String> answer = server.post("/v1/messages", "{\"model\":\"opus\",\"max_tokens\":100,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}");
            assertEquals(200, answer.statusCode(), answer.body());

            // the record joins the list when its exchange ends, which may be just after the client has the answer
            HttpResponse<String> raw = server.get("/status");
            for (long deadline = System.nanoTime() + 10_000_000_000L; !raw.body().contains("\"/v1/messages\""); ) {
                assertTrue(System.nanoTime() < deadline, "the request is listed: " + raw.body());
                Thread.sleep(20);
                raw = server.get("/status");
            }
            assertEquals(Optional.of("no-store"), raw.headers().firstValue("cache-control"));
            assertFalse(raw.body().contains(PROMPT), raw.body());
            Node after = Node.parse(raw.body());
            assertEquals(1, after.get("counters").get("cli_spawns").longValue(-1));
            assertEquals(0, after.get("counters").get("streams_in_flight").longValue(-1));

            List<Node> recent = after.get("recent").elements();
            assertEquals(1, recent.size(), "the request, not the /status polls around it: " + raw.body());
            Node request = recent.getFirst();
            assertEquals("/v1/messages", request.text("path"));
            assertEquals("POST", request.text("method"));
            assertEquals(200, request.get("status").longValue(-1));
            assertEquals("anthropic", request.text("api"));
            assertEquals("opus", request.text("model"));
            assertFalse(request.get("stream").isTrue());
            assertEquals(12304, request.get("input_tokens").longValue(-1));
            assertEquals(11, request.get("output_tokens").longValue(-1));
            assertTrue(request.get("ttft_seconds").decimalValue().isPresent(), request.toJson());
            assertTrue(request.get("cost_usd").decimalValue().isPresent(), request.toJson());
            assertTrue(request.text("id").startsWith("req_"), request.toJson());
            assertTrue(request.has("time") && request.has("seconds") && request.has("cli"), request.toJson());
        }
    }

    @Test
    void withAnApiKeyThePageIsOpenAndItsDataIsNot() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0", "--api-key", "k-status")) {
            assertEquals(200, server.get("/").statusCode(), "the page asks for the key itself");
            for (String path : List.of("/status", "/metrics")) {
                assertEquals(401, server.get(path).statusCode(), path);
                assertEquals(401, get(server, path, "Authorization", "Bearer wrong").statusCode(), path);
                assertEquals(200, get(server, path, "Authorization", "Bearer k-status").statusCode(), path);
                assertEquals(200, get(server, path, "x-api-key", "k-status").statusCode(), path);
            }
        }
    }

    private static Node status(TestServer server) throws Exception {
        HttpResponse<String> r = server.get("/status");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Optional.of("application/json"), r.headers().firstValue("content-type").map(t -> t.split(";")[0]));
        return Node.parse(r.body());
    }

    private static HttpResponse<String> get(TestServer server, String path, String header, String value) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header(header, value).GET().build());
    }
}
