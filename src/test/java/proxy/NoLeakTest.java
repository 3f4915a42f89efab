package proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Error answers tell the client what went wrong in its API's terms and nothing of the proxy's
 * insides: no stack trace, no Java class or exception name, no file path of this machine, no
 * CLI stderr, whatever failed (bad JSON, a CLI that dies, prints garbage, a line over the
 * limit, hangs, or is missing).
 */
class NoLeakTest {

    /** What must never be in an answer: a frame, a qualified class name, an exception name, a path, the fake's stderr. */
    private static final List<Pattern> LEAKS = List.of(
            Pattern.compile("\\bat [a-z]+\\.[a-zA-Z.$]+\\("),
            Pattern.compile("\\b(java|javax|jdk|sun|com\\.fasterxml|proxy)\\.[a-z]+\\.[A-Za-z]"),
            Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b"),
            Pattern.compile("/(tmp|home|usr|work|opt|proc|no)/"),
            Pattern.compile("fake claude"));

    private static void assertNoLeak(String what, HttpResponse<String> r) {
        for (Pattern leak : LEAKS) {
            assertFalse(leak.matcher(r.body()).find(), what + " (" + r.statusCode() + ") leaks " + leak + ": " + r.body());
        }
        for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
            for (String v : h.getValue()) {
                assertFalse(LEAKS.get(3).matcher(v).find(), what + " header " + h.getKey() + ": " + v);
            }
        }
    }

    private static HttpResponse<String> send(TestServer server, String path, String body) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void errorAnswersSayNothingOfTheProxysInsides() throws Exception {
        List<String> modes = List.of("fake:mode=die fake:after=0", "fake:mode=die fake:after=3", "fake:mode=garbage",
                "fake:mode=longline fake:bytes=20000000");
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0", "--first-event-timeout", "2s");
             TestServer missing = TestServer.start(Map.of(), "--claude", "/no/such/dir/claude");
             TestServer hanging = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "hang"), "--first-event-timeout", "300ms")) {
            int errors = 0;
            for (String mode : modes) {
                for (boolean stream : new boolean[] {false, true}) {
                    String q = "\"hi " + mode + "\"";
                    HttpResponse<String> chat = send(server, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":" + stream
                            + ",\"messages\":[{\"role\":\"user\",\"content\":" + q + "}]}");
                    assertNoLeak("chat " + mode, chat);
                    HttpResponse<String> messages = send(server, "/v1/messages", "{\"model\":\"haiku\",\"max_tokens\":64,\"stream\":"
                            + stream + ",\"messages\":[{\"role\":\"user\",\"content\":" + q + "}]}");
                    assertNoLeak("messages " + mode, messages);
                    HttpResponse<String> responses = send(server, "/v1/responses", "{\"model\":\"gpt-4o\",\"stream\":" + stream
                            + ",\"input\":" + q + "}");
                    assertNoLeak("responses " + mode, responses);
                    for (HttpResponse<String> r : List.of(chat, messages, responses)) {
                        errors += r.statusCode() >= 500 || r.body().contains("error") ? 1 : 0;
                    }
                }
            }
            assertTrue(errors >= modes.size() * 3, "the failure modes were exercised: " + errors + " error answers");
            for (TestServer s : List.of(missing, hanging)) {
                assertNoLeak("missing or hanging CLI", send(s, "/v1/messages",
                        "{\"model\":\"haiku\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
            }
            for (String bad : List.of("{", "{\"model\":5}", "[]", "{\"model\":\"haiku\",\"max_tokens\":1,\"messages\":[{\"role\":\"x\"}]}")) {
                assertNoLeak("bad body " + bad, send(server, "/v1/messages", bad));
                assertNoLeak("bad body " + bad, send(server, "/v1/chat/completions", bad));
                assertNoLeak("bad body " + bad, send(server, "/v1/responses", bad));
            }
        }
    }
}
