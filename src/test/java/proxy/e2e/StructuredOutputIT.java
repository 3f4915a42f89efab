package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.StopReason;
import proxy.chat.Turn;
import proxy.json.Node;

/**
 * A conversation with a JSON schema through the engine and the real CLI against
 * {@link FakeAnthropic} (cli-protocol.md §12): the CLI offers the model a {@code StructuredOutput}
 * tool; its call's input is the answer, streamed as text, and prose instead of the call is no
 * answer. Skipped, with the reason, only when the npm registry cannot be reached.
 */
class StructuredOutputIT {

    private static final String SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";

    @TempDir
    Path tmp;

    private List<ReplyEvent> run(FakeAnthropic upstream) throws IOException {
        return RealCli.runEngine(tmp, upstream, new Conversation("sonnet", Optional.empty(),
                List.of(Turn.user("Where is the Eiffel tower?")), OptionalInt.empty(), List.of(), false,
                OptionalInt.empty(), Optional.empty(), Optional.of(SCHEMA)));
    }

    @Test
    void theStructuredOutputCallIsTheAnswerAsText() throws IOException {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.toolUse("StructuredOutput", "{\"city\": \"Paris\"}"));
            List<ReplyEvent> events = run(upstream);

            String shown = events.toString();
            assertInstanceOf(ReplyEvent.Started.class, events.getFirst(), shown);
            assertEquals(new ReplyEvent.BlockStarted(0, new Block.Text()), events.get(1), shown);
            StringBuilder text = new StringBuilder();
            int i = 2;
            for (; i < events.size() && events.get(i) instanceof ReplyEvent.TextDelta d; i++) {
                assertEquals(0, d.index(), shown);
                text.append(d.text());
            }
            assertTrue(i > 2, "at least one text delta: " + shown);
            assertEquals(Node.parse("{\"city\":\"Paris\"}").toJson(), Node.parse(text.toString()).toJson(), shown);
            assertEquals(new ReplyEvent.BlockStopped(0), events.get(i), shown);
            ReplyEvent.Finished finished = assertInstanceOf(ReplyEvent.Finished.class, events.get(i + 1), shown);
            assertEquals(StopReason.END_TURN, finished.reason(), "the call is the answer, not a tool call for the client");
            assertEquals(i + 2, events.size(), shown);

            assertEquals(1, upstream.requests().size(), "no call after the StructuredOutput call");
            List<String> tools = Node.parse(upstream.requests().getFirst().body()).get("tools").elements().stream()
                    .map(t -> t.text("name")).toList();
            assertTrue(tools.contains("StructuredOutput"), "the CLI adds the tool even with --tools \"\": " + tools);
        }
    }

    @Test
    void proseInsteadOfTheCallIsBadGateway() throws IOException {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.text("Paris."));
            List<ReplyEvent> events = run(upstream);

            ReplyEvent.Failed failed = assertInstanceOf(ReplyEvent.Failed.class, events.getLast(), events.toString());
            assertEquals(ErrorKind.BAD_GATEWAY, failed.kind());
            assertTrue(events.stream().noneMatch(e -> e instanceof ReplyEvent.TextDelta), "prose is not the answer: " + events);
            assertEquals(2, upstream.requests().size(), "the CLI's one nudge, then it gives up");
        }
    }
}
