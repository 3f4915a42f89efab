package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.anthropic.StrictAnthropicStream;
import proxy.openai.StrictOpenAiStream;

/**
 * A conversation of three turns through each API with the real CLI: turns 2 and 3 run on the
 * process kept from turn 1 (the upstream sees one request per turn, all from one CLI session,
 * each carrying every turn so far in order), and an edited history runs on a fresh process
 * with the client's history seeded.
 */
class LiveConversationIT {

    /** The header the CLI sends with its session id: one process, one session. */
    private static final String SESSION = "x-claude-code-session-id";

    @TempDir
    Path tmp;

    private TestServer proxy(FakeAnthropic upstream) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        return TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude", claude.toString(),
                "--warm", "0", "--live", "4");
    }

    /** One API's way to send a conversation (alternating user, assistant, ..., user texts) and read the answer. */
    private interface Api {
        String ask(TestServer proxy, List<String> turns) throws Exception;
    }

    private static String anthropic(TestServer proxy, List<String> turns) throws Exception {
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/messages"))
                .header("anthropic-version", "2023-06-01").header("x-api-key", "unused")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"haiku\",\"max_tokens\":256,\"stream\":true,"
                        + "\"messages\":" + messages(turns) + "}")).build());
        assertEquals(200, r.statusCode(), r.body());
        return ((StrictAnthropicStream.Text) StrictAnthropicStream.parse(r.body()).content().get(0)).text();
    }

    private static String openAi(TestServer proxy, List<String> turns) throws Exception {
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                .header("authorization", "Bearer unused")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"haiku\",\"stream\":true,"
                        + "\"messages\":" + messages(turns) + "}")).build());
        assertEquals(200, r.statusCode(), r.body());
        return StrictOpenAiStream.parse(r.body(), false).choices().get(0).content();
    }

    private static String messages(List<String> turns) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < turns.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"").append(turns.get(i)).append("\"}");
        }
        return sb.append("]").toString();
    }

    @Test
    void anthropicConversationStaysOnOneProcess() throws Exception {
        threeTurnsThenAnEdit(LiveConversationIT::anthropic);
    }

    @Test
    void openAiConversationStaysOnOneProcess() throws Exception {
        threeTurnsThenAnEdit(LiveConversationIT::openAi);
    }

    /**
     * The cost a whole-body answer carries is its own turn's: two alike turns on one process cost
     * alike, where the CLI's total_cost_usd for the second is the two turns' sum.
     */
    @Test
    void aSecondTurnOnALiveProcessCarriesItsOwnCost() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("Same", "."), FakeAnthropic.Reply.text("Same", "."));
            String first = cost(proxy, List.of("Say same."));
            String second = cost(proxy, List.of("Say same.", "Same.", "Again."));
            assertTrue(new java.math.BigDecimal(first).signum() > 0, "the CLI priced the turn: " + first);
            assertEquals(first, second, "the second turn's own cost, not the process's running total");
            List<FakeAnthropic.Recorded> calls = upstream.requests();
            assertEquals(calls.get(0).headers().get(SESSION), calls.get(1).headers().get(SESSION), "one process");
        }
    }

    private static String cost(TestServer proxy, List<String> turns) throws Exception {
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/v1/messages"))
                .header("anthropic-version", "2023-06-01").header("x-api-key", "unused")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"haiku\",\"max_tokens\":256,"
                        + "\"messages\":" + messages(turns) + "}")).build());
        assertEquals(200, r.statusCode(), r.body());
        String header = r.headers().firstValue("x-claude-proxy-cost-usd").orElseThrow(() -> new AssertionError(r.headers()));
        assertTrue(r.body().contains("\"cost_usd\":" + header + "}"), "the usage object says the same: " + r.body());
        return header;
    }

    private void threeTurnsThenAnEdit(Api api) throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); TestServer proxy = proxy(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("One", "."), FakeAnthropic.Reply.text("Two", "."),
                    FakeAnthropic.Reply.text("Three", "."), FakeAnthropic.Reply.text("Edited", "."));
            assertEquals("One.", api.ask(proxy, List.of("Say one.")));
            assertEquals("Two.", api.ask(proxy, List.of("Say one.", "One.", "Say two.")));
            assertEquals("Three.", api.ask(proxy, List.of("Say one.", "One.", "Say two.", "Two.", "Say three.")));

            List<FakeAnthropic.Recorded> calls = upstream.requests();
            assertEquals(3, calls.size(), "one upstream request per turn");
            String session = calls.get(0).headers().get(SESSION);
            assertTrue(session != null && !session.isEmpty(), "the CLI names its session: " + calls.get(0).headers());
            for (FakeAnthropic.Recorded call : calls) {
                assertEquals(session, call.headers().get(SESSION), "every turn ran on the first turn's process");
            }
            assertInOrder(calls.get(2).body(), "Say one.", "One.", "Say two.", "Two.", "Say three.");

            // an edited first message: not the kept process's history, so a fresh one with it seeded
            assertEquals("Edited.", api.ask(proxy, List.of("Say ONE.", "One.", "Say two.")));
            FakeAnthropic.Recorded edited = upstream.requests().getLast();
            assertNotEquals(session, edited.headers().get(SESSION), "a fresh process");
            assertInOrder(edited.body(), "Say ONE.", "One.", "Say two.");
            assertFalse(edited.body().contains("Say three."), "nothing of the kept process's history");
        }
    }

    private static void assertInOrder(String body, String... texts) {
        int at = -1;
        for (String t : texts) {
            int next = body.indexOf("\"" + t, at + 1);
            assertTrue(next > at, "'" + t + "' after the turns before it in " + body);
            at = next;
        }
    }
}
