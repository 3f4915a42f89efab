package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.Processes;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.Turn;

/**
 * Processes that outlive a request: spares of the warm pool, processes kept for a
 * conversation's next turn, and what must never be reused. The fake CLI logs each turn it runs
 * as {@code pid P turn N}, which tells which process served which request.
 */
class CliEngineReuseTest {

    /** The text of the reply in capture 02, which the fake replays for every turn. */
    private static final String ANSWER = "Hello! I am a fake model answering in deltas.";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private FakeEngines engines;

    @BeforeEach
    void engines() {
        engines = new FakeEngines(tmp);
    }

    @AfterEach
    void closeEngines() {
        engines.close();
    }

    private CliEngine engine(Map<String, String> knobs, String... flags) throws Exception {
        Map<String, String> env = new HashMap<>(knobs);
        env.putIfAbsent("FAKE_CLAUDE_CASE", "02-stream-json-partial");
        env.putIfAbsent("FAKE_CLAUDE_TURNLOG", turnlogFile().toString());
        return engines.start(env, flags);
    }

    private CliEngine engine(String... flags) throws Exception {
        return engine(Map.of(), flags);
    }

    private Path turnlogFile() {
        return tmp.resolve("turns");
    }

    /** The turns the fake ran, oldest first, each as {pid, turn number}. */
    private List<long[]> turns() throws IOException {
        if (!Files.exists(turnlogFile())) {
            return List.of();
        }
        return Files.readAllLines(turnlogFile()).stream().map(l -> l.split(" "))
                .map(w -> new long[] {Long.parseLong(w[1]), Long.parseLong(w[3])}).toList();
    }

    private long[] lastTurn() throws IOException {
        List<long[]> t = turns();
        return t.get(t.size() - 1);
    }

    private static RecordingSink run(CliEngine engine, Conversation c) throws IOException {
        RecordingSink sink = new RecordingSink();
        engine.run(c, sink);
        return sink;
    }

    private static RecordingSink finished(CliEngine engine, Conversation c) throws IOException {
        RecordingSink sink = run(engine, c);
        assertInstanceOf(Finished.class, sink.last(), () -> "events: " + sink.events);
        return sink;
    }

    private static Conversation chat(String model, Optional<String> system, Turn... turns) {
        return new Conversation(model, system, List.of(turns), OptionalInt.empty(), List.of(), false);
    }

    private static Conversation chat(Turn... turns) {
        return chat("opus", Optional.empty(), turns);
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        assertTrue(Processes.waitUntil(condition, WAIT), what);
    }

    // --- the warm pool ---------------------------------------------------------------------

    @Test
    void aSpareServesOneNewConversationAndIsReplaced() throws Exception {
        CliEngine engine = engine("--warm", "1", "--live", "0");
        finished(engine, chat(Turn.user("one")));
        awaitTrue("a spare is started after the first request", () -> engine.sparePids().size() == 1);
        long spare = engine.sparePids().get(0);

        finished(engine, chat(Turn.user("two")));
        assertEquals(spare, lastTurn()[0], "the second conversation ran on the spare");
        awaitTrue("the spare is replaced by a new one",
                () -> engine.sparePids().size() == 1 && !engine.sparePids().contains(spare));
        awaitTrue("the used spare is gone (nothing is kept)", () -> !Processes.running(spare));

        finished(engine, chat(Turn.user("three")));
        List<long[]> turns = turns();
        assertEquals(3, turns.size());
        assertEquals(3, turns.stream().mapToLong(t -> t[0]).distinct().count(), "no process ran two conversations");
        assertTrue(turns.stream().allMatch(t -> t[1] == 1), "each process ran exactly one turn");
    }

    @Test
    void aSpareServesOnlyRequestsOfItsOwnShape() throws Exception {
        CliEngine engine = engine("--warm", "1", "--warm-keys", "8", "--live", "0");
        finished(engine, chat(Turn.user("one")));
        awaitTrue("an opus spare", () -> engine.sparePids().size() == 1);
        long opusSpare = engine.sparePids().get(0);

        List<Conversation> otherShapes = List.of(
                chat("sonnet", Optional.empty(), Turn.user("other model")),
                chat("opus", Optional.of("Be brief."), Turn.user("other system text")),
                new Conversation("opus", Optional.empty(), List.of(Turn.user("other max_tokens")), OptionalInt.of(100),
                        List.of(), false),
                new Conversation("opus", Optional.empty(), List.of(Turn.user("thinking on")), OptionalInt.empty(),
                        List.of(), true));
        for (Conversation c : otherShapes) {
            finished(engine, c);
            assertNotEquals(opusSpare, lastTurn()[0], "not the opus spare: " + c.turns());
        }
        assertTrue(engine.sparePids().contains(opusSpare), "the opus spare still waits for an opus request");
    }

    @Test
    void aSpareThatDiedIsNeverHandedOutAndIsReplaced() throws Exception {
        CliEngine engine = engine("--warm", "1", "--live", "0");
        finished(engine, chat(Turn.user("one")));
        awaitTrue("a spare", () -> engine.sparePids().size() == 1);
        long spare = engine.sparePids().get(0);
        ProcessHandle.of(spare).ifPresent(ProcessHandle::destroyForcibly);
        awaitTrue("it died", () -> !Processes.running(spare));

        finished(engine, chat(Turn.user("two")));
        assertNotEquals(spare, lastTurn()[0]);
        awaitTrue("a live spare replaces it", () -> engine.sparePids().size() == 1
                && !engine.sparePids().contains(spare) && Processes.running(engine.sparePids().get(0)));
    }

    @Test
    void idleSparesAndKeptProcessesAreStopped() throws Exception {
        CliEngine engine = engine("--warm", "1", "--warm-idle", "300ms", "--live", "2", "--live-idle", "300ms");
        finished(engine, chat(Turn.user("one")));
        assertEquals(1, engine.keptPids().size());
        long kept = engine.keptPids().get(0);
        awaitTrue("a spare", () -> engine.sparePids().size() == 1);
        long spare = engine.sparePids().get(0);

        awaitTrue("both are stopped once idle", () -> engine.liveProcesses() == 0);
        awaitTrue("and their processes are gone", () -> !Processes.running(kept) && !Processes.running(spare));
    }

    // --- live conversations ----------------------------------------------------------------

    @Test
    void aFollowUpRunsOnTheKeptProcessWithOnlyItsNewLine() throws Exception {
        Path stdin = tmp.resolve("stdin");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_STDINFILE", stdin.toString()), "--warm", "0", "--live", "2");
        RecordingSink first = finished(engine, chat(Turn.user("hi")));
        assertEquals(ANSWER, first.text());
        long pid = lastTurn()[0];
        assertEquals(List.of(pid), engine.keptPids());

        RecordingSink second = finished(engine, chat(Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("and then?")));
        assertEquals(pid, lastTurn()[0]);
        assertEquals(2, lastTurn()[1]);
        assertEquals("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"and then?\"}]}}\n",
                Files.readString(stdin), "only the new user line is written");
        assertEquals(((Finished) first.last()).usage(), ((Finished) second.last()).usage(),
                "the second turn's usage is its own, not the process's total");

        // what clients change when they echo a reply: reasoning added or dropped, spacing around it
        finished(engine, chat(Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("and then?"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.Thinking("hmm", "sig"), new Part.Text(ANSWER + "\n"))),
                Turn.user("third")));
        assertEquals(pid, lastTurn()[0]);
        assertEquals(3, lastTurn()[1]);
        assertFalse(Files.exists(tmp.resolve("home/.claude/projects")) && hasSeeds(), "nothing was seeded");
    }

    @Test
    void withFlattenedHistoryAFollowUpStillGetsOnlyItsNewLine() throws Exception {
        Path stdin = tmp.resolve("stdin");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_STDINFILE", stdin.toString()),
                "--warm", "0", "--live", "2", "--history", "flatten");
        finished(engine, chat(Turn.user("hi")));
        long pid = lastTurn()[0];
        finished(engine, chat(Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("and then?")));
        assertEquals(pid, lastTurn()[0]);
        assertEquals("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"and then?\"}]}}\n",
                Files.readString(stdin), "the process holds the history: nothing is written out again");

        // a history it does not hold is written out before the question, on a fresh process
        finished(engine, chat(Turn.user("hello"), Turn.assistant(ANSWER), Turn.user("and then?")));
        assertNotEquals(pid, lastTurn()[0]);
        assertTrue(Files.readString(stdin).contains("hello"), Files.readString(stdin));
    }

    private boolean hasSeeds() throws IOException {
        try (var files = Files.walk(tmp.resolve("home/.claude/projects"))) {
            return files.anyMatch(p -> p.toString().endsWith(".jsonl"));
        }
    }

    @Test
    void everyOtherHistoryStartsAFreshProcessWithTheHistorySeeded() throws Exception {
        Path argv = tmp.resolve("argv");
        Path seed = tmp.resolve("seed");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", argv.toString(), "FAKE_CLAUDE_SEEDCOPY", seed.toString()),
                "--warm", "0", "--live", "10"); // room for the original and every fresh one
        finished(engine, chat(Turn.user("hi")));
        long kept = lastTurn()[0];

        Map<String, Conversation> mismatches = new java.util.LinkedHashMap<>();
        mismatches.put("an edited earlier message", chat(Turn.user("hello"), Turn.assistant(ANSWER), Turn.user("next")));
        mismatches.put("a cut answer", chat(Turn.user("hi"), Turn.assistant("Hello! I am"), Turn.user("next")));
        mismatches.put("an edited answer", chat(Turn.user("hi"), Turn.assistant(ANSWER + " Really."), Turn.user("next")));
        mismatches.put("another system prompt", chat("opus", Optional.of("Be brief."),
                Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("next")));
        mismatches.put("another model", chat("sonnet", Optional.empty(),
                Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("next")));
        for (Map.Entry<String, Conversation> m : mismatches.entrySet()) {
            Files.deleteIfExists(seed);
            finished(engine, m.getValue());
            assertNotEquals(kept, lastTurn()[0], m.getKey() + ": not the kept process");
            assertEquals(1, lastTurn()[1], m.getKey() + ": a fresh process");
            assertTrue(Files.readAllLines(argv).contains("--resume"), m.getKey() + ": history seeded");
            assertTrue(Files.readString(seed).contains(m.getValue().turns().get(1).parts().get(0) instanceof Part.Text t
                    ? t.text() : "?"), m.getKey() + ": the seed holds the client's history");
            assertTrue(engine.keptPids().contains(kept), m.getKey() + ": the kept process is left alone");
        }

        // a regenerate: the same request twice; the first continues, the second cannot
        Conversation next = chat(Turn.user("hi"), Turn.assistant(ANSWER), Turn.user("next"));
        finished(engine, next);
        assertEquals(kept, lastTurn()[0]);
        finished(engine, next);
        assertNotEquals(kept, lastTurn()[0], "a regenerate runs on a fresh process");
        assertEquals(1, lastTurn()[1]);
    }

    @Test
    void severalChoicesKeepNoProcess() throws Exception {
        CliEngine engine = engine("--warm", "0", "--live", "2");
        RecordingSink sink = new RecordingSink();
        engine.run(chat(Turn.user("hi")), sink, false);
        assertInstanceOf(Finished.class, sink.last());
        assertEquals(List.of(), engine.keptPids());
    }

    // --- what is never reused ------------------------------------------------------------

    @Test
    void aStopSequenceEndsTheProcess() throws Exception {
        CliEngine engine = engine("--warm", "0", "--live", "2");
        Conversation c = new Conversation("opus", Optional.empty(), List.of(Turn.user("hi")), OptionalInt.empty(),
                List.of("fake"), false);
        RecordingSink sink = new RecordingSink();
        engine.run(c, sink); // the engine applies the conversation's limits
        assertEquals(Optional.of("fake"), ((Finished) sink.last()).stopSequence());
        assertNothingKept(engine);
    }

    @Test
    void aStopSequenceSettledOnlyAtTheBlocksEndStillEndsTheProcess() throws Exception {
        // the last delta is " in deltas.": "deltas." matches there, but "in deltas.!" (starting
        // earlier) could still win while more text may come, so the cut is made only when the
        // block ends, one line before the CLI's result
        CliEngine engine = engine("--warm", "0", "--live", "2");
        Conversation c = new Conversation("opus", Optional.empty(), List.of(Turn.user("hi")), OptionalInt.empty(),
                List.of("deltas.", "in deltas.!"), false);
        RecordingSink sink = new RecordingSink();
        engine.run(c, sink);
        assertEquals(Optional.of("deltas."), ((Finished) sink.last()).stopSequence());
        assertEquals("Hello! I am a fake model answering in ", sink.text());
        assertNothingKept(engine);
    }

    @Test
    void aReplyAtMaxTokensEndsTheProcess() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "x-max-tokens-every-call"), "--warm", "0", "--live", "2");
        RecordingSink sink = finished(engine, chat(Turn.user("hi")));
        assertEquals(proxy.chat.StopReason.MAX_TOKENS, ((Finished) sink.last()).reason());
        assertNothingKept(engine);
    }

    @Test
    void aClientThatLeftEndsTheProcess() throws Exception {
        CliEngine engine = engine("--warm", "0", "--live", "2");
        RecordingSink gone = new RecordingSink(e -> {
            if (e instanceof ReplyEvent.TextDelta) {
                throw new IOException("client gone");
            }
        }, Integer.MAX_VALUE);
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> engine.run(chat(Turn.user("hi")), gone));
        assertNothingKept(engine);
    }

    @Test
    void aTimedOutTurnEndsTheProcess() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "hang", "FAKE_CLAUDE_AFTER", "3"),
                "--warm", "0", "--live", "2", "--idle-timeout", "300ms");
        RecordingSink sink = run(engine, chat(Turn.user("hi")));
        assertEquals(ErrorKind.TIMEOUT, assertInstanceOf(Failed.class, sink.last()).kind());
        assertNothingKept(engine);
    }

    @Test
    void aFailedTurnEndsTheProcess() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "60-err-401"), "--warm", "0", "--live", "2");
        RecordingSink sink = run(engine, chat(Turn.user("hi")));
        assertEquals(ErrorKind.AUTHENTICATION, assertInstanceOf(Failed.class, sink.last()).kind());
        assertNothingKept(engine);
    }

    private void assertNothingKept(CliEngine engine) throws IOException {
        assertEquals(List.of(), engine.keptPids());
        awaitTrue("the engine owns no process", () -> engine.liveProcesses() == 0);
        long pid = lastTurn()[0];
        awaitTrue("the process is gone", () -> !Processes.running(pid));
    }

    @Test
    void aCliThatNeverReadsStdinCannotHoldARequest() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "nostdin"), "--warm", "0", "--live", "2",
                "--first-event-timeout", "500ms");
        // more than a pipe buffer holds, so the write itself would block
        String image = Base64.getEncoder().encodeToString(new byte[300 * 1024]);
        Conversation c = new Conversation("opus", Optional.empty(), List.of(new Turn(Turn.Role.USER,
                List.of(new Part.Image("image/png", image), new Part.Text("what is this?")))),
                OptionalInt.empty(), List.of(), false);
        RecordingSink sink = new RecordingSink();
        Thread request = FakeEngines.inBackground(engine, c, sink);
        assertTrue(request.join(WAIT), "the request ended");
        assertEquals(ErrorKind.TIMEOUT, assertInstanceOf(Failed.class, sink.last()).kind());
        awaitTrue("the engine owns no process", () -> engine.liveProcesses() == 0);
    }

    // --- admission and shutdown ----------------------------------------------------------

    @Test
    void aWaitingRequestGetsKeepAlivesThen429() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "hang", "FAKE_CLAUDE_AFTER", "3"),
                "--warm", "0", "--live", "0", "--max-concurrent", "1", "--queue-timeout", "600ms");
        RecordingSink busy = new RecordingSink();
        Thread first = FakeEngines.inBackground(engine, chat(Turn.user("hang")), busy);
        busy.started.await();
        RecordingSink waiting = run(engine, chat(Turn.user("wait")));
        Failed f = assertInstanceOf(Failed.class, waiting.last());
        assertEquals(ErrorKind.RATE_LIMITED, f.kind());
        assertTrue(f.retryAfter().isPresent());
        assertTrue(waiting.quietCalls.get() >= 2, "keep-alives while waiting: " + waiting.quietCalls.get());
        engine.close();
        first.join();
    }

    @Test
    void shutdownStopsSparesKeptAndRunningProcesses() throws Exception {
        CliEngine engine = engine("--warm", "1", "--live", "2");
        finished(engine, chat(Turn.user("one")));
        long kept = engine.keptPids().get(0);
        awaitTrue("a spare", () -> engine.sparePids().size() == 1);
        long spare = engine.sparePids().get(0);
        RecordingSink hanging = new RecordingSink();
        Thread running = FakeEngines.inBackground(engine, chat(Turn.user("fake:mode=hang fake:after=3")), hanging);
        hanging.started.await();
        long runningPid = lastTurn()[0];
        awaitTrue("another spare", () -> engine.sparePids().size() == 1 && !engine.sparePids().contains(spare));
        long spare2 = engine.sparePids().get(0);

        engine.close();
        assertTrue(running.join(WAIT));
        assertInstanceOf(Failed.class, hanging.last());
        assertEquals(0, engine.liveProcesses());
        for (long pid : new long[] {kept, spare, runningPid, spare2}) {
            awaitTrue("pid " + pid + " is gone", () -> !Processes.running(pid));
        }
    }
}
