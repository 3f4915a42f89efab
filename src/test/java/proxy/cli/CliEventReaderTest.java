package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import proxy.FakeCli;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.ReplyEvent.Started;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Node;

/**
 * Every recorded CLI run through the reader. Each capture has a golden event list in
 * {@code src/test/resources/reader-golden/<case>.txt} (regenerate with
 * {@code -Dgolden.update=true} and review the diff); the cases that matter most are also
 * spelled out below.
 */
class CliEventReaderTest {

    private static final Path GOLDEN = Path.of("src/test/resources/reader-golden");

    static Stream<String> captures() throws IOException {
        try (Stream<Path> dirs = Files.list(FakeCli.CASES)) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** The events of a capture, read the way the engine reads them: line reader, then event reader, then end. */
    static List<ReplyEvent> events(String capture, boolean oneByteAtATime) throws IOException {
        Path dir = FakeCli.CASES.resolve(capture);
        byte[] stdout = Files.readAllBytes(dir.resolve("stdout.jsonl"));
        Matcher rc = Pattern.compile("\"rc\":\\s*(-?\\d+)").matcher(Files.readString(dir.resolve("timing.json")));
        int exit = rc.find() ? Integer.parseInt(rc.group(1)) : 0;
        BoundedLineReader lines = new BoundedLineReader(
                oneByteAtATime ? BoundedLineReaderTest.oneByteAtATime(stdout) : new ByteArrayInputStream(stdout),
                CliEngine.MAX_LINE_BYTES);
        CliEventReader reader = new CliEventReader();
        List<ReplyEvent> events = new ArrayList<>();
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                events.addAll(reader.read(line));
            }
        } catch (CliOutputException e) {
            events.add(new Failed(ErrorKind.BAD_GATEWAY, "output: " + e.getMessage()));
            return events;
        }
        events.addAll(reader.end(OptionalInt.of(exit < 0 ? 128 + 9 : exit)));
        return events;
    }

    static String render(List<ReplyEvent> events) {
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCaptureMatchesItsGoldenEvents(String capture) throws IOException {
        String actual = render(events(capture, false));
        Path golden = GOLDEN.resolve(capture + ".txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, capture);
        assertEquals(actual, render(events(capture, true)), capture + " read one byte at a time");
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyReplyIsWellFormed(String capture) throws IOException {
        List<ReplyEvent> events = events(capture, false);
        assertTrue(!events.isEmpty(), capture + ": a run always ends with an outcome");
        ReplyEvent last = events.get(events.size() - 1);
        assertTrue(last instanceof Finished || last instanceof Failed, capture + " ends with " + last);
        assertEquals(1, events.stream().filter(e -> e instanceof Finished || e instanceof Failed).count(), capture);
        if (last instanceof Finished) {
            assertTrue(events.get(0) instanceof Started, capture + " starts with Started");
        }
        int next = 0;
        java.util.Set<Integer> open = new java.util.HashSet<>();
        for (ReplyEvent e : events) {
            if (e instanceof BlockStarted s) {
                assertEquals(next++, s.index(), capture + ": block indexes run 0, 1, 2...");
                open.add(s.index());
            } else if (e instanceof BlockStopped s) {
                assertTrue(open.remove(s.index()), capture + ": stop of an open block");
            }
        }
    }

    @Test
    void plainTextReply() throws IOException {
        assertEquals(List.of(
                new Started("claude-opus-5-5", new Usage(12306, 1, 0, 0)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "Hello"),
                new TextDelta(0, "! I am"),
                new TextDelta(0, " a fake"),
                new TextDelta(0, " model"),
                new TextDelta(0, " answering"),
                new TextDelta(0, " in deltas."),
                new BlockStopped(0),
                new Finished(StopReason.END_TURN, Optional.empty(), new Usage(12306, 11, 0, 0,
                        Optional.of(new BigDecimal("0.049444"))))),
                events("02-stream-json-partial", false));
    }

    @Test
    void withoutPartialMessagesTheAssistantLinesAreTheAnswer() throws IOException {
        String text = render(events("01-stream-json", false));
        assertTrue(text.contains("TextDelta[index=0, text=Hello! I am a fake model answering in deltas.]"), text);
    }

    @Test
    void thinkingThenText() throws IOException {
        String text = render(events("old-02-stream-json-partial", false));
        assertTrue(text.contains("BlockStarted[index=0, block=Thinking[]]"), text);
        assertTrue(text.contains("ThinkingDelta[index=0"), text);
        assertTrue(text.contains("SignatureDelta[index=0"), text);
        assertTrue(text.contains("BlockStarted[index=1, block=Text[]]"), text);
    }

    @Test
    void toolRoundsAreOneReplyWithConsecutiveIndexes() throws IOException {
        String text = render(events("13-tool-bash-allowed-partial", false));
        assertTrue(text.contains("BlockStarted[index=1, block=CliToolCall[id=toolu_fake_bash_1, name=Bash]]"), text);
        assertTrue(text.contains("ToolInputDelta[index=1, partialJson={\"command\": \"echo h]"), text);
        assertTrue(text.contains("BlockStarted[index=2, block=Text[]]"), text);
        assertEquals(1, text.lines().filter(l -> l.startsWith("Started")).count(), "one reply across two API messages");
    }

    @Test
    void brokenStreamIsAbandonedAndTheRetriedAnswerFollows() throws IOException {
        String text = render(events("104-sse-midstream-error", false));
        assertTrue(text.contains("TextDelta[index=0, text=Partial]\nBlockStopped[index=0]\nBlocksAbandoned[fromIndex=0]\n"
                + "BlockStarted[index=1, block=Text[]]\nTextDelta[index=1, text=Partial answer then boom]\nBlockStopped[index=1]\n"
                + "Finished[reason=END_TURN"), text);
    }

    /**
     * After a max_tokens stop the CLI resumes up to three times on its own and then reports an
     * error result; the API's answer is the first message, ended with max_tokens.
     */
    @Test
    void maxTokensEndsTheReplyAtTheFirstCut() throws IOException {
        for (String capture : List.of("x-max-tokens-every-call", "x-max-tokens-then-end-turn")) {
            List<ReplyEvent> events = events(capture, false);
            Finished f = (Finished) last(events);
            assertEquals(StopReason.MAX_TOKENS, f.reason(), capture);
            assertEquals(20, f.usage().outputTokens(), capture);
            assertEquals(1, events.stream().filter(e -> e instanceof Started).count());
            assertEquals(1, events.stream().filter(e -> e instanceof BlockStarted).count(), capture + ": only the first call's block");
        }
    }

    @Test
    void stopSequenceComesFromTheStreamNotTheResult() throws IOException {
        Finished f = (Finished) last(events("x-stop-sequence", false));
        assertEquals(StopReason.STOP_SEQUENCE, f.reason());
        assertEquals(Optional.of("XYZ"), f.stopSequence());
    }

    @Test
    void apiErrorsKeepTheirStatus() throws IOException {
        assertFailure("60-err-401", ErrorKind.AUTHENTICATION, "Invalid API key");
        assertFailure("61-err-429", ErrorKind.RATE_LIMITED, "API Error: Request rejected (429)");
        assertFailure("62-err-529", ErrorKind.OVERLOADED, "API Error: Repeated 529 Overloaded errors");
        assertFailure("63-err-500", ErrorKind.INTERNAL, "API Error: 500");
        assertFailure("65-err-400", ErrorKind.INVALID_REQUEST, "API Error: 400");
        assertFailure("67-err-404", ErrorKind.NOT_FOUND, "There's an issue with the selected model");
        assertFailure("68-err-413", ErrorKind.REQUEST_TOO_LARGE, "Request too large");
        assertFailure("64-err-conn-refused", ErrorKind.BAD_GATEWAY, "API Error: Connection refused");
    }

    /**
     * The real CLI with nothing to log in with (empty HOME, no key) answers a prompt without any
     * request: a synthetic message with {@code error: authentication_failed}, then a result
     * "Not logged in · Please run /login" without {@code api_error_status}, exit 1. That was a
     * retryable 502 telling an API client to run a slash command it has no way to run.
     */
    @Test
    void notLoggedInIsAuthenticationWithTheProxysLoginAdvice() throws IOException {
        Failed f = (Failed) last(events("120-not-logged-in", false));
        assertEquals(ErrorKind.AUTHENTICATION, f.kind());
        assertEquals(CliErrors.NOT_LOGGED_IN_MESSAGE, f.message());
        assertEquals(Optional.empty(), f.retryAfter());
        assertTrue(f.message().contains("'claude auth login'"), f.message());
        assertTrue(f.message().contains(".claude-cli/node_modules/.bin/claude auth login"), f.message());
        assertTrue(f.message().contains("ANTHROPIC_API_KEY") && f.message().contains("CLAUDE_CODE_OAUTH_TOKEN"), f.message());
    }

    @Test
    void retryAfterComesFromTheCliRetryDelay() throws IOException {
        Failed f = (Failed) last(events("61-err-429", false));
        assertTrue(f.retryAfter().isPresent(), "429 after CLI retries carries the last retry delay");
        assertTrue(f.retryAfter().get().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void interruptsAndSignalsAreBadGateway() throws IOException {
        assertFailure("110-sigint-midstream", ErrorKind.BAD_GATEWAY, "The Claude CLI run was interrupted");
        assertFailure("111-sigterm-midstream", ErrorKind.BAD_GATEWAY, "The Claude CLI was ended by signal 15 without an answer");
        assertFailure("85-stdin-invalid-json", ErrorKind.BAD_GATEWAY, "The Claude CLI exited with code 1 without an answer");
        assertFailure("54-max-turns-1-tool", ErrorKind.BAD_GATEWAY, "The Claude CLI stopped after its maximum number of turns");
    }

    @Test
    void unknownResumeIdIsDetected() throws IOException {
        CliEventReader reader = new CliEventReader();
        for (String line : Files.readAllLines(FakeCli.CASES.resolve("75-resume-unknown/stdout.jsonl"))) {
            reader.read(line);
        }
        assertTrue(reader.sessionNotFound());
        assertFailure("75-resume-unknown", ErrorKind.BAD_GATEWAY, "The Claude CLI could not resume the conversation history");
    }

    @Test
    void garbageLineIsAnOutputError() {
        assertThrows(CliOutputException.class, () -> new CliEventReader().read("this is not json {"));
        assertThrows(CliOutputException.class, () -> new CliEventReader().read("{\"type\":\"system\"} trailing"));
    }

    @Test
    void unknownTypesAndFieldsAreSkipped() throws IOException {
        CliEventReader reader = new CliEventReader();
        assertEquals(List.of(), reader.read("{\"type\":\"from_the_future\",\"x\":[1,{\"y\":null}]}"));
        assertEquals(List.of(), reader.read("[1,2,3]"));
        assertEquals(List.of(), reader.read("{\"no_type\":true}"));
        List<ReplyEvent> events = reader.read("{\"new_field\":{\"deep\":[true]},\"type\":\"stream_event\",\"event\":"
                + "{\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"model\":\"x\",\"usage\":{\"input_tokens\":5,\"novel\":1}}}}");
        assertEquals(List.of(new Started("x", new Usage(5, 0, 0, 0))), events);
    }

    private static void assertFailure(String capture, ErrorKind kind, String messageStart) throws IOException {
        ReplyEvent last = last(events(capture, false));
        Failed f = assertInstanceOfFailed(capture, last);
        assertEquals(kind, f.kind(), capture);
        assertTrue(f.message().startsWith(messageStart), capture + ": " + f.message());
    }

    private static Failed assertInstanceOfFailed(String capture, ReplyEvent e) {
        assertTrue(e instanceof Failed, capture + " ends with " + e);
        return (Failed) e;
    }

    private static ReplyEvent last(List<ReplyEvent> events) {
        return events.get(events.size() - 1);
    }

    /**
     * A turn's cost is its own (model_usage_since_last_result, summed over models), without the
     * CLI's floating-point noise; total_cost_usd counts earlier turns too, so it is used only for
     * a process's first result.
     */
    @Test
    void turnCostIsThisTurnsOwnWithoutFloatingPointNoise() throws Exception {
        Node later = Node.parse("""
                {"result_index":1,"total_cost_usd":0.5,"model_usage_since_last_result":{
                 "claude-opus-5-5":{"costUSD":6.000000000000001e-06},"claude-haiku-5-5":{"costUSD":0.049443999999999995}}}""");
        assertEquals(Optional.of(new BigDecimal("0.04945")), CliEventReader.turnCost(later));
        Node first = Node.parse("{\"result_index\":0,\"total_cost_usd\":0.000002}");
        assertEquals(Optional.of(new BigDecimal("0.000002")), CliEventReader.turnCost(first));
        Node laterWithoutDetail = Node.parse("{\"result_index\":3,\"total_cost_usd\":0.4}");
        assertEquals(Optional.empty(), CliEventReader.turnCost(laterWithoutDetail), "not the running total");
    }
}
