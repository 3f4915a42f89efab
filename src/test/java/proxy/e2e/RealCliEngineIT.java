package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.Turn;
import proxy.json.Node;

/**
 * The engine driving the real CLI (npm {@code @anthropic-ai/claude-code}, installed into
 * {@code target/claude-cli}) against {@link FakeAnthropic}: what the upstream API receives and
 * what comes back out. Skipped, with the reason, only when the npm registry cannot be reached.
 */
class RealCliEngineIT {

    @TempDir
    Path tmp;

    private List<ReplyEvent> run(FakeAnthropic upstream, Conversation conversation) throws IOException {
        return RealCli.runEngine(tmp, upstream, conversation);
    }

    private static String text(List<ReplyEvent> events) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e instanceof ReplyEvent.TextDelta)
                .forEach(e -> sb.append(((ReplyEvent.TextDelta) e).text()));
        return sb.toString();
    }

    /** The user/assistant messages of an upstream request, as "role: text" (system-role entries skipped). */
    private static List<String> roles(String body) throws IOException {
        List<String> out = new ArrayList<>();
        for (Node m : Node.parse(body).get("messages").elements()) {
            String role = m.text("role");
            if (!"user".equals(role) && !"assistant".equals(role)) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            if (m.get("content").text() != null) {
                text.append(m.get("content").text());
            }
            for (Node block : m.get("content").elements()) {
                if ("text".equals(block.text("type")) && !block.text("text").startsWith("<system-reminder>")) {
                    text.append(block.text("text"));
                }
            }
            out.add(role + ": " + text.toString().strip());
        }
        return out;
    }

    @Test
    void plainTextReply() throws IOException {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.text("Hello ", "from ", "upstream."));
            List<ReplyEvent> events = run(upstream, new Conversation("sonnet", Optional.of("Answer in English."),
                    List.of(Turn.user("Say hello")), OptionalInt.empty(), List.of(), false));

            assertInstanceOf(ReplyEvent.Started.class, events.get(0));
            assertEquals("Hello from upstream.", text(events));
            assertInstanceOf(ReplyEvent.Finished.class, events.getLast());

            assertEquals(1, upstream.requests().size());
            Node request = Node.parse(upstream.requests().getFirst().body());
            assertTrue(request.get("model").text().startsWith("claude-sonnet"), request.get("model").text());
            assertEquals(List.of(), request.get("tools").elements(), "chat mode: no tools");
            assertTrue(request.get("system").toJson().contains("Answer in English."), "system text appended");
            assertTrue(roles(upstream.requests().getFirst().body()).getLast().endsWith("Say hello"));
        }
    }

    @Test
    void seededHistoryReachesTheApiWithItsRoles() throws IOException {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.text("6."));
            List<ReplyEvent> events = run(upstream, new Conversation("sonnet", Optional.empty(), List.of(
                    Turn.user("What is 2+2?"), Turn.assistant("4."), Turn.user("And 3+3?")),
                    OptionalInt.empty(), List.of(), false));

            assertEquals("6.", text(events));
            assertEquals(1, upstream.requests().size(), "one call: the seed was resumed, not retried flattened");
            List<String> roles = roles(upstream.requests().getFirst().body());
            assertEquals(List.of("user: What is 2+2?", "assistant: 4.", "user: And 3+3?"),
                    roles.subList(roles.size() - 3, roles.size()));
            try (Stream<Path> seeds = Files.walk(tmp.resolve("home/.claude/projects"))) {
                assertEquals(List.of(), seeds.filter(p -> p.toString().endsWith(".jsonl")).toList(), "seed deleted");
            }
        }
    }

    @Test
    void upstreamRateLimitIs429WithRetryAfter() throws IOException {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.error(429, "rate_limit_error", "Slow down", Map.of("retry-after", "1")));
            List<ReplyEvent> events = run(upstream, Conversation.of("sonnet", "hi"));

            ReplyEvent.Failed failed = assertInstanceOf(ReplyEvent.Failed.class, events.getLast());
            assertEquals(ErrorKind.RATE_LIMITED, failed.kind());
            assertEquals(429, failed.kind().status());
            assertTrue(failed.message().contains("429"), failed.message());
            assertEquals(3, upstream.requests().size(), "CLAUDE_CODE_MAX_RETRIES=2 by default: three calls, not eleven");
            Duration retryAfter = failed.retryAfter().orElseThrow();
            assertTrue(retryAfter.toSeconds() >= 1, "the upstream's retry-after (1 s), as the CLI waited it: " + retryAfter);
        }
    }

    @Test
    void upstreamErrorsKeepTheirKind() throws IOException {
        Map<Integer, ErrorKind> expected = Map.of(403, ErrorKind.PERMISSION, 529, ErrorKind.OVERLOADED,
                400, ErrorKind.INVALID_REQUEST);
        for (var e : expected.entrySet()) {
            try (FakeAnthropic upstream = new FakeAnthropic()) {
                String type = e.getKey() == 403 ? "permission_error" : e.getKey() == 529 ? "overloaded_error" : "invalid_request_error";
                upstream.reply(FakeAnthropic.Reply.error(e.getKey(), type, "no", Map.of()));
                List<ReplyEvent> events = run(upstream, Conversation.of("sonnet", "hi"));
                ReplyEvent.Failed failed = assertInstanceOf(ReplyEvent.Failed.class, events.getLast());
                assertEquals(e.getValue(), failed.kind(), "upstream " + e.getKey() + ": " + failed.message());
            }
        }
    }
}
