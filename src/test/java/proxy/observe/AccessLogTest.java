package proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import proxy.FakeCli;
import proxy.ProxyProcess;
import proxy.json.Node;

/**
 * The access log as an operator reads it, from a real process's stderr: one line per request
 * with its fields, for a stream and a whole body; prompt and completion text only with
 * {@code --log-bodies}, even at the finest level.
 */
class AccessLogTest {

    private static final String PROMPT = "the-secret-prompt-7f3a";
    private static final String COMPLETION = "fake model answering in deltas";

    private static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.java(), "-cp", System.getProperty("java.class.path"),
                "proxy.Main", "--port", "0", "--claude", FakeCli.SCRIPT.toString(), "--warm", "0"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A stream on the Anthropic API and a whole body on the OpenAI one; then the proxy's stderr. */
    private static String serveTwoRequests(String... args) throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main(args), FakeCli.env(Map.of()));
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            HttpResponse<String> stream = client.send(HttpRequest.newBuilder(proxy.uri("/v1/messages"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"opus\",\"max_tokens\":100,\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stream.statusCode());
            HttpResponse<String> body = client.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"" + PROMPT + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, body.statusCode(), body.body());
            assertTrue(body.body().contains(COMPLETION), "the reply holds the text the log must not");
            return proxy.terminate().stderr();
        }
    }

    private static String accessLine(String stderr, String needle) {
        return stderr.lines().filter(l -> l.contains("proxy.access") && l.contains(needle)).findFirst()
                .orElseThrow(() -> new AssertionError("no access line with " + needle + " in:\n" + stderr));
    }

    @Test
    void oneTextLinePerRequestWithItsFieldsAndNoPromptOrCompletionEvenAtTrace() throws Exception {
        String stderr = serveTwoRequests("--log-level", "trace");

        String stream = accessLine(stderr, "POST /v1/messages 200");
        for (String field : List.of(" api=anthropic", " model=opus", " stream=true", " ttft=", " in=12304", " out=11",
                " cache_read=0", " cache_creation=0", " cost=0.049436", " cli=cold")) {
            assertTrue(stream.contains(field), field + " in " + stream);
        }
        assertTrue(stream.matches(".* req_[0-9a-f]{24} POST .*"), stream);

        String body = accessLine(stderr, "POST /v1/chat/completions 200");
        for (String field : List.of(" api=openai", " model=gpt-4o", " stream=false", " ttft=", " out=11", " cli=cold")) {
            assertTrue(body.contains(field), field + " in " + body);
        }
        assertFalse(stderr.contains(PROMPT), "no prompt text in the log:\n" + stderr);
        assertFalse(stderr.contains(COMPLETION), "no completion text in the log:\n" + stderr);
    }

    @Test
    void jsonLinesAndBodiesWhenAsked() throws Exception {
        String stderr = serveTwoRequests("--log-format", "json", "--log-bodies");

        Node stream = Node.parse(accessLine(stderr, "/v1/messages"));
        assertEquals("proxy.access", stream.text("logger"));
        assertEquals("POST", stream.text("method"));
        assertEquals(200, stream.get("status").longValue(0));
        assertTrue(stream.get("stream").isTrue());
        assertEquals("cold", stream.text("cli"));
        assertEquals(12304, stream.get("input_tokens").longValue(0));
        assertTrue(stream.get("ttft_seconds").decimalValue().isPresent());
        assertTrue(stream.text("request_body").contains(PROMPT), "--log-bodies keeps the request");
        assertTrue(stream.text("reply_text").contains(COMPLETION), "--log-bodies keeps the reply");
        Node body = Node.parse(accessLine(stderr, "/v1/chat/completions"));
        assertFalse(body.get("stream").isTrue());
    }
}
