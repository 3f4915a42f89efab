package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import proxy.FakeCli;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.ReplyEvent.Started;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.StopReason;
import proxy.chat.Usage;

/**
 * The two {@code --json-schema} captures through a structured reader (cli-protocol.md §12):
 * {@code x-json-schema}, where the model called {@code StructuredOutput}, and
 * {@code x-json-schema-prose}, where it answered in text twice (once after the CLI's nudge).
 */
class StructuredOutputReaderTest {

    private static List<ReplyEvent> events(String capture) throws IOException {
        Path dir = FakeCli.CASES.resolve(capture);
        Matcher rc = Pattern.compile("\"rc\":\\s*(-?\\d+)").matcher(Files.readString(dir.resolve("timing.json")));
        int exit = rc.find() ? Integer.parseInt(rc.group(1)) : 0;
        CliEventReader reader = new CliEventReader(true);
        List<ReplyEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("stdout.jsonl"))) {
            events.addAll(reader.read(line));
        }
        if (!reader.finished()) {
            events.addAll(reader.end(OptionalInt.of(exit)));
        }
        return events;
    }

    @Test
    void theStructuredOutputCallIsOneTextBlock() throws IOException {
        assertEquals(List.of(
                new Started("claude-sonnet-5-5", new Usage(10, 1, 0, 0)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "{\"cit"),
                new TextDelta(0, "y\": \"P"),
                new TextDelta(0, "aris\"}"),
                new BlockStopped(0),
                new Finished(StopReason.END_TURN, Optional.empty(), new Usage(10, 3, 0, 0, Optional.of(new BigDecimal("0.00005"))))),
                events("x-json-schema"));
    }

    @Test
    void proseTwiceIsBadGatewayAndShowsNoText() throws IOException {
        List<ReplyEvent> events = events("x-json-schema-prose");
        Failed failed = assertInstanceOf(Failed.class, events.getLast(), events.toString());
        assertEquals(ErrorKind.BAD_GATEWAY, failed.kind());
        assertTrue(events.stream().noneMatch(e -> e instanceof TextDelta), "prose is dropped: " + events);
        assertTrue(events.stream().noneMatch(e -> e instanceof BlockStarted), "no block at all: " + events);
        assertEquals(1, events.stream().filter(e -> e instanceof Failed || e instanceof Finished).count(), events.toString());
    }
}
