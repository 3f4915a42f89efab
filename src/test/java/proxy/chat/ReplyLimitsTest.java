package proxy.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.ReplyEvent.Started;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.ReplyEvent.ThinkingDelta;
import proxy.chat.ReplyEvent.ToolInputDelta;

class ReplyLimitsTest {

    private static final Usage IN = new Usage(10, 0, 2, 3);
    private static final Started STARTED = new Started("m", IN);
    private static final Finished END_TURN = new Finished(StopReason.END_TURN, Optional.empty(), new Usage(10, 99, 2, 3));

    /** Records what it is given and always wants more. */
    private static final class Recorder implements ReplySink {
        final List<ReplyEvent> events = new ArrayList<>();
        int quiets;

        @Override
        public boolean accept(ReplyEvent event) {
            events.add(event);
            return true;
        }

        @Override
        public boolean quiet() {
            quiets++;
            return true;
        }
    }

    /** What the last {@code accept} in {@link #run} answered. */
    private boolean lastAccept;

    /** Feeds events through limits; returns what came out. */
    private List<ReplyEvent> run(List<String> stops, OptionalInt max, ReplyEvent... events) throws IOException {
        Recorder out = new Recorder();
        ReplyLimits limits = new ReplyLimits(out, stops, max);
        for (ReplyEvent e : events) {
            lastAccept = limits.accept(e);
        }
        return out.events;
    }

    private List<ReplyEvent> stops(List<String> stops, ReplyEvent... events) throws IOException {
        return run(stops, OptionalInt.empty(), events);
    }

    private static TextDelta text(String s) {
        return new TextDelta(0, s);
    }

    private static BlockStarted textBlock(int index) {
        return new BlockStarted(index, new Block.Text());
    }

    private static Finished stopped(String sequence, long outputTokens) {
        return new Finished(StopReason.STOP_SEQUENCE, Optional.of(sequence), IN.withOutputTokens(outputTokens));
    }

    @Test
    void noLimitsChangeNothing() throws IOException {
        ReplyEvent[] events = {STARTED, textBlock(0), text("Hello END"), new BlockStopped(0),
            new BlockStarted(1, new Block.Thinking()), new ThinkingDelta(1, "hm"), new BlockStopped(1), END_TURN};
        assertEquals(List.of(events), run(List.of(), OptionalInt.empty(), events));
        assertTrue(lastAccept);
        Recorder out = new Recorder();
        assertSame(out, ReplyLimits.around(out, Conversation.of("m", "q")));
    }

    @Test
    void aroundWrapsWhenTheConversationSetsALimit() {
        Conversation c = new Conversation("m", Optional.empty(), List.of(Turn.user("q")), OptionalInt.of(5), List.of(), false);
        Recorder out = new Recorder();
        assertInstanceOf(ReplyLimits.class, ReplyLimits.around(out, c));
    }

    @Test
    void stopSequenceInsideOneDelta() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("Hello "), new BlockStopped(0), stopped("END", 2)),
                stops(List.of("END"), STARTED, textBlock(0), text("Hello END and more")));
        assertFalse(lastAccept);
    }

    @Test
    void stopSequenceSplitAcrossTwoDeltas() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("ab"), new BlockStopped(0), stopped("END", 1)),
                stops(List.of("END"), STARTED, textBlock(0), text("abE"), text("NDx")));
    }

    @Test
    void stopSequenceSplitAcrossThreeDeltas() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("ab"), new BlockStopped(0), stopped("END", 1)),
                stops(List.of("END"), STARTED, textBlock(0), text("ab"), text("E"), text("N"), text("D"), text("x")));
    }

    @Test
    void aFalseStartIsReleasedIntactAndInOrder() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("a"), text("ENXyz"), new BlockStopped(0), END_TURN),
                stops(List.of("END"), STARTED, textBlock(0), text("aEN"), text("Xyz"), new BlockStopped(0), END_TURN));
        assertTrue(lastAccept);
    }

    /** "BC" completes first, but "ABCD" starts earlier: the whole text would have matched it. */
    @Test
    void theEarlierStartingSequenceWinsEvenIfItCompletesLater() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("x"), new BlockStopped(0), stopped("ABCD", 1)),
                stops(List.of("BC", "ABCD"), STARTED, textBlock(0), text("xA"), text("BC"), text("D")));
    }

    @Test
    void theLaterStartingSequenceWinsWhenTheEarlierOneFails() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("x"), text("A"), new BlockStopped(0), stopped("BC", 1)),
                stops(List.of("BC", "ABCD"), STARTED, textBlock(0), text("xA"), text("BC"), text("E")));
    }

    @Test
    void onATieTheLongerSequenceWins() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("x"), new BlockStopped(0), stopped("ABC", 1)),
                stops(List.of("AB", "ABC"), STARTED, textBlock(0), text("xAB"), text("C")));
        assertEquals(List.of(STARTED, textBlock(0), text("x"), new BlockStopped(0), stopped("AB", 1)),
                stops(List.of("AB", "ABC"), STARTED, textBlock(0), text("xAB"), new BlockStopped(0)));
    }

    @Test
    void thinkingIsNeverMatched() throws IOException {
        ReplyEvent[] events = {STARTED, new BlockStarted(0, new Block.Thinking()), new ThinkingDelta(0, "E"),
            new ThinkingDelta(0, "ND here END"), new BlockStopped(0), END_TURN};
        assertEquals(List.of(events), stops(List.of("END"), events));
    }

    @Test
    void heldTextIsFlushedWhenTheBlockStops() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("ab"), text("EN"), new BlockStopped(0), END_TURN),
                stops(List.of("END"), STARTED, textBlock(0), text("abEN"), new BlockStopped(0), END_TURN));
    }

    @Test
    void heldTextIsFlushedBeforeAPassThroughFinished() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("ab"), text("EN"), END_TURN),
                stops(List.of("END"), STARTED, textBlock(0), text("abEN"), END_TURN));
    }

    @Test
    void aStopSequenceAtTheStartOfABlockSendsNoEmptyText() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), new BlockStopped(0), stopped("END", 0)),
                stops(List.of("END"), STARTED, textBlock(0), text("END")));
    }

    @Test
    void stopSequencesDoNotMatchAcrossBlocks() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("EN"), new BlockStopped(0), textBlock(1),
                        new TextDelta(1, "D!"), new BlockStopped(1), END_TURN),
                stops(List.of("END"), STARTED, textBlock(0), text("EN"), new BlockStopped(0), textBlock(1),
                        new TextDelta(1, "D!"), new BlockStopped(1), END_TURN));
    }

    @Test
    void maxTokensCutsInsideADelta() throws IOException {
        // 2 tokens = 8 characters: "Hello" fits, then only "Wor" of "World!"
        assertEquals(List.of(STARTED, textBlock(0), text("Hello"), text("Wor"), new BlockStopped(0),
                        new Finished(StopReason.MAX_TOKENS, Optional.empty(), IN.withOutputTokens(2))),
                run(List.of(), OptionalInt.of(2), STARTED, textBlock(0), text("Hello"), text("World!")));
        assertFalse(lastAccept);
    }

    @Test
    void maxTokensCountsThinkingAndCutsIt() throws IOException {
        assertEquals(List.of(STARTED, new BlockStarted(0, new Block.Thinking()), new ThinkingDelta(0, "abcdefgh"),
                        new BlockStopped(0), new Finished(StopReason.MAX_TOKENS, Optional.empty(), IN.withOutputTokens(2))),
                run(List.of(), OptionalInt.of(2), STARTED, new BlockStarted(0, new Block.Thinking()),
                        new ThinkingDelta(0, "abcdefgh!"), new BlockStopped(0), END_TURN));
    }

    @Test
    void maxTokensCutsToolInputEvenIfTheJsonBreaks() throws IOException {
        BlockStarted tool = new BlockStarted(1, new Block.ToolCall("t", "f"));
        assertEquals(List.of(STARTED, textBlock(0), text("abc"), new BlockStopped(0), tool,
                        new ToolInputDelta(1, "{\"a\":"), new BlockStopped(1),
                        new Finished(StopReason.MAX_TOKENS, Optional.empty(), IN.withOutputTokens(2))),
                run(List.of(), OptionalInt.of(2), STARTED, textBlock(0), text("abc"), new BlockStopped(0), tool,
                        new ToolInputDelta(1, "{\"a\":1}"), new BlockStopped(1), END_TURN));
    }

    @Test
    void theFinishedWeMakeCarriesStartedUsageAndTheEstimate() throws IOException {
        List<ReplyEvent> out = stops(List.of("."), STARTED, textBlock(0), text("123456789."));
        // nine characters passed on: ceil(9 / 4) = 3
        assertEquals(new Finished(StopReason.STOP_SEQUENCE, Optional.of("."), new Usage(10, 3, 2, 3)), out.getLast());
    }

    @Test
    void eventsAfterTheEndAreIgnored() throws IOException {
        Recorder out = new Recorder();
        ReplyLimits limits = new ReplyLimits(out, List.of("END"), OptionalInt.empty());
        assertTrue(limits.accept(STARTED));
        assertTrue(limits.accept(textBlock(0)));
        assertFalse(limits.accept(text("xEND")));
        int size = out.events.size();
        assertFalse(limits.accept(text("more")));
        assertFalse(limits.accept(new BlockStopped(0)));
        assertFalse(limits.accept(END_TURN));
        assertFalse(limits.quiet(), "after the end: stop the CLI");
        assertEquals(size, out.events.size());
        assertEquals(0, out.quiets);
    }

    @Test
    void quietIsPassedOn() throws IOException {
        Recorder out = new Recorder();
        assertTrue(new ReplyLimits(out, List.of("END"), OptionalInt.empty()).quiet());
        assertEquals(1, out.quiets);
    }

    @Test
    void aPassThroughFinishedKeepsItsUsage() throws IOException {
        assertEquals(List.of(STARTED, textBlock(0), text("short"), new BlockStopped(0), END_TURN),
                run(List.of("END"), OptionalInt.of(100), STARTED, textBlock(0), text("short"), new BlockStopped(0), END_TURN));
    }

    @Test
    void failedPassesAndDropsHeldText() throws IOException {
        Failed failed = new Failed(ErrorKind.BAD_GATEWAY, "CLI crashed");
        assertEquals(List.of(STARTED, textBlock(0), text("ab"), failed),
                stops(List.of("END"), STARTED, textBlock(0), text("abEN"), failed));
    }

    /**
     * Streams random texts one character per delta (and again in random chunks) against random
     * stop sequences, and checks the text that comes out against searching the whole text.
     */
    @Test
    void matchesLikeASearchOfTheWholeText() throws IOException {
        Random random = new Random(42);
        for (int n = 0; n < 500; n++) {
            String text = randomString(random, 20 + random.nextInt(60));
            List<String> stops = new ArrayList<>();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                stops.add(randomString(random, 1 + random.nextInt(4)));
            }
            int expectedEnd = text.length();
            String expectedStop = null;
            for (String s : stops) {
                int at = text.indexOf(s);
                if (at >= 0 && (at < expectedEnd || at == expectedEnd && s.length() > expectedStop.length())) {
                    expectedEnd = at;
                    expectedStop = s;
                }
            }
            for (boolean oneCharAtATime : new boolean[] {true, false}) {
                List<ReplyEvent> in = new ArrayList<>(List.of(STARTED, textBlock(0)));
                for (int i = 0; i < text.length(); ) {
                    int end = oneCharAtATime ? i + 1 : Math.min(text.length(), i + 1 + random.nextInt(6));
                    in.add(text(text.substring(i, end)));
                    i = end;
                }
                in.add(new BlockStopped(0));
                in.add(END_TURN);
                List<ReplyEvent> out = stops(stops, in.toArray(ReplyEvent[]::new));

                String why = "text " + text + ", stops " + stops;
                StringBuilder passed = new StringBuilder();
                for (ReplyEvent e : out) {
                    if (e instanceof TextDelta t) {
                        assertFalse(t.text().isEmpty(), why);
                        passed.append(t.text());
                    }
                }
                assertEquals(text.substring(0, expectedEnd), passed.toString(), why);
                Finished expected = expectedStop == null ? END_TURN
                        : stopped(expectedStop, (expectedEnd + 3) / 4);
                assertEquals(List.of(new BlockStopped(0), expected), out.subList(out.size() - 2, out.size()), why);
                assertEquals(expectedStop == null, lastAccept, why);
            }
        }
    }

    private static String randomString(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append("ABC".charAt(random.nextInt(3))); // a small alphabet makes overlaps common
        }
        return s.toString();
    }
}
