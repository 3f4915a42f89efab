package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** The engine against the fake CLI: argv, stdin, seeding, timeouts, failures, cancellation, limits. */
class CliEngineTest {

    @TempDir
    Path tmp;

    // one process per request, as these tests check one run's process; CliEngineReuseTest checks reuse
    private FakeEngines engines;

    @BeforeEach
    void engines() {
        engines = new FakeEngines(tmp, "--warm", "0", "--live", "0");
    }

    @AfterEach
    void closeEngines() {
        engines.close();
    }

    /** An engine on the fake CLI with the given fake knobs (FAKE_CLAUDE_*) and proxy flags. */
    private CliEngine engine(Map<String, String> knobs, String... flags) throws Exception {
        return engines.start(knobs, flags);
    }

    private RecordingSink run(CliEngine engine, Conversation conversation) throws IOException {
        RecordingSink sink = new RecordingSink();
        engine.run(conversation, sink);
        assertClean(engine);
        return sink;
    }

    /** Nothing of the run is left: the CLI (ended in the background once the reply is complete) and its files. */
    private static void assertClean(CliEngine engine) throws IOException {
        assertTrue(Processes.waitUntil(() -> engine.liveProcesses() == 0, Duration.ofSeconds(10)), "no CLI left running");
        try (Stream<Path> files = Files.list(engine.runFiles())) {
            assertEquals(List.of(), files.toList(), "no per-run file left");
        }
    }

    private static Conversation question(String text) {
        return Conversation.of("opus", text);
    }

    private static Conversation withHistory(String question) {
        return new Conversation("sonnet", Optional.empty(), List.of(
                Turn.user("What is 2+2?"), Turn.assistant("4."), Turn.user(question)),
                OptionalInt.empty(), List.of(), false);
    }

    private Path file(String name) {
        return tmp.resolve(name);
    }

    @Test
    void streamsTheReplyOfTheCli() throws Exception {
        RecordingSink sink = run(engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial")), question("hi"));
        assertEquals(Files.readString(Path.of("src/test/resources/reader-golden/02-stream-json-partial.txt")),
                CliEventReaderTest.render(sink.events));
    }

    @Test
    void chatModeArgvHasNoToolsNoSettingsAndNoPrompt() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", file("argv").toString(),
                "FAKE_CLAUDE_STDINFILE", file("stdin").toString(), "FAKE_CLAUDE_ENVFILE", file("env").toString()));
        run(engine, question("secret question"));
        assertEquals(List.of("-p", "--input-format", "stream-json", "--output-format", "stream-json",
                        "--verbose", "--include-partial-messages", "--no-session-persistence", "--model", "opus",
                        "--tools", "", "--strict-mcp-config", "--setting-sources", ""),
                Files.readAllLines(file("argv")));
        assertEquals("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"secret question\"}]}}\n",
                Files.readString(file("stdin")));
        List<String> env = Files.readAllLines(file("env"));
        assertTrue(env.contains("CLAUDE_CODE_MAX_RETRIES=2"), "fail fast by default");
        assertTrue(env.contains("CLAUDE_CODE_DISABLE_THINKING=1"), "no thinking unless asked");
        assertTrue(env.contains("HOME=" + tmp.resolve("home")), "the proxy's environment reaches the CLI");
        assertFalse(env.stream().anyMatch(l -> l.startsWith("CLAUDE_CODE_MAX_OUTPUT_TOKENS=")));
    }

    @Test
    void agentModePassesTheOperatorsToolsAndPermissionMode() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", file("argv").toString()), "--mode", "agent",
                "--tools", "Read,Grep", "--allowed-tools", "Read", "--permission-mode", "acceptEdits", "--cli-max-retries", "0");
        run(engine, question("hi"));
        List<String> argv = Files.readAllLines(file("argv"));
        assertEquals(List.of("--tools", "Read,Grep", "--allowedTools", "Read", "--permission-mode", "acceptEdits"),
                argv.subList(10, argv.size()));
    }

    @Test
    void systemTextGoesThroughAFileThatIsDeletedAfterwards() throws Exception {
        for (String mode : new String[] {"append", "replace"}) {
            CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", file("argv").toString(), "FAKE_CLAUDE_PACE", "20"),
                    "--system-prompt", mode);
            Conversation c = new Conversation("opus", Optional.of("Be brief.\nVery brief."), List.of(Turn.user("hi")),
                    OptionalInt.of(100), List.of(), true);
            List<String> seen = new ArrayList<>();
            engine.run(c, new RecordingSink(e -> {
                if (e instanceof ReplyEvent.Started) { // the CLI is running: its file is there
                    List<String> argv = Files.readAllLines(file("argv"));
                    int flag = argv.indexOf(mode.equals("append") ? "--append-system-prompt-file" : "--system-prompt-file");
                    assertTrue(flag > 0, argv.toString());
                    seen.add(Files.readString(Path.of(argv.get(flag + 1))));
                }
            }, Integer.MAX_VALUE));
            assertEquals(List.of("Be brief.\nVery brief."), seen);
            assertClean(engine);
        }
    }

    @Test
    void maxTokensAndThinkingReachTheCliEnvironment() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ENVFILE", file("env").toString()));
        run(engine, new Conversation("opus", Optional.empty(), List.of(Turn.user("hi")), OptionalInt.of(1234), List.of(), true));
        List<String> env = Files.readAllLines(file("env"));
        assertTrue(env.contains("CLAUDE_CODE_MAX_OUTPUT_TOKENS=1234"));
        assertFalse(env.stream().anyMatch(l -> l.startsWith("CLAUDE_CODE_DISABLE_THINKING=")));
    }

    @Test
    void imagesGoOnStdinAsBase64Blocks() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_STDINFILE", file("stdin").toString()));
        run(engine, new Conversation("opus", Optional.empty(), List.of(new Turn(Turn.Role.USER, List.of(
                new Part.Image("image/png", "iVBORw0KGgo="), new Part.Text("what is this?")))), OptionalInt.empty(), List.of(), false));
        assertEquals("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                + "{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
                + "{\"type\":\"text\",\"text\":\"what is this?\"}]}}\n", Files.readString(file("stdin")));
    }

    @Test
    void historyIsSeededAsASessionAndDeletedAfterwards() throws Exception {
        Path cwd = tmp.resolve("cwd");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", file("argv").toString(), "FAKE_CLAUDE_PACE", "20",
                "FAKE_CLAUDE_STDINFILE", file("stdin").toString()));
        Path projectDir = tmp.resolve("home/.claude/projects").resolve(cwd.toString().replaceAll("[^A-Za-z0-9]", "-"));
        List<String> seedLines = new ArrayList<>();
        engine.run(withHistory("And 3+3?"), new RecordingSink(e -> {
            if (e instanceof ReplyEvent.Started) {
                List<String> argv = Files.readAllLines(file("argv"));
                String id = argv.get(argv.indexOf("--resume") + 1);
                seedLines.addAll(Files.readAllLines(projectDir.resolve(id + ".jsonl")));
            }
        }, Integer.MAX_VALUE));
        assertEquals(2, seedLines.size());
        assertTrue(seedLines.get(0).contains("\"parentUuid\":null"), seedLines.get(0));
        assertTrue(seedLines.get(0).startsWith("{\"type\":\"user\","), seedLines.get(0));
        assertTrue(seedLines.get(0).contains("\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is 2+2?\"}]}"));
        assertTrue(seedLines.get(1).contains("\"type\":\"assistant\""));
        assertTrue(seedLines.get(1).contains("\"content\":[{\"type\":\"text\",\"text\":\"4.\"}]"));
        String firstUuid = seedLines.get(0).replaceAll(".*\"uuid\":\"([^\"]+)\".*", "$1");
        assertTrue(seedLines.get(1).contains("\"parentUuid\":\"" + firstUuid + "\""), "entries are chained");
        assertTrue(Files.readString(file("stdin")).contains("\"text\":\"And 3+3?\""), "only the question goes on stdin");
        assertClean(engine); // the session, and so its seed, is ended once the reply is complete
        try (Stream<Path> left = Files.list(projectDir)) {
            assertEquals(List.of(), left.toList(), "the seed is deleted after the run");
        }
    }

    @Test
    void seedsGoUnderClaudeConfigDirWhenSet() throws Exception {
        Path configDir = tmp.resolve("config");
        CliEngine engine = engine(Map.of("CLAUDE_CONFIG_DIR", configDir.toString(), "FAKE_CLAUDE_PACE", "20"));
        List<Path> seen = new ArrayList<>();
        engine.run(withHistory("q"), new RecordingSink(e -> {
            if (e instanceof ReplyEvent.Started) {
                try (Stream<Path> files = Files.walk(configDir)) {
                    files.filter(p -> p.toString().endsWith(".jsonl")).forEach(seen::add);
                }
            }
        }, Integer.MAX_VALUE));
        assertEquals(1, seen.size());
        assertFalse(Files.exists(tmp.resolve("home/.claude")), "nothing under HOME when CLAUDE_CONFIG_DIR is set");
    }

    @Test
    void autoHistoryFallsBackToTextWhenTheCliCannotResume() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_RESUME_CASE", "75-resume-unknown",
                "FAKE_CLAUDE_ARGVFILE", file("argv").toString(), "FAKE_CLAUDE_STDINFILE", file("stdin").toString()));
        RecordingSink first = run(engine, withHistory("And 3+3?"));
        assertInstanceOf(Finished.class, first.last(), "the flattened retry answered");
        assertFalse(first.events.stream().anyMatch(e -> e instanceof Failed), "the failed seed attempt is not shown");
        assertFalse(Files.readAllLines(file("argv")).contains("--resume"));
        String stdin = Files.readString(file("stdin"));
        assertTrue(stdin.contains("<conversation_history>\\nUser: What is 2+2?\\n\\nAssistant: 4.\\n</conversation_history>"), stdin);

        RecordingSink second = run(engine, withHistory("And 4+4?"));
        assertInstanceOf(Finished.class, second.last());
        assertFalse(Files.readAllLines(file("argv")).contains("--resume"), "later requests skip the seed");
    }

    @Test
    void seedHistoryReportsAFailedResume() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_RESUME_CASE", "75-resume-unknown"), "--history", "seed");
        Failed f = assertInstanceOf(Failed.class, run(engine, withHistory("q")).last());
        assertEquals(ErrorKind.BAD_GATEWAY, f.kind());
    }

    @Test
    void flattenHistoryNeverSeeds() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_ARGVFILE", file("argv").toString(),
                "FAKE_CLAUDE_STDINFILE", file("stdin").toString()), "--history", "flatten");
        run(engine, withHistory("q"));
        assertFalse(Files.readAllLines(file("argv")).contains("--resume"));
        assertTrue(Files.readString(file("stdin")).contains("<conversation_history>"));
        assertFalse(Files.exists(tmp.resolve("home/.claude")));
    }

    @Test
    void clientThatHangsUpGetsTheCliTreeKilled() throws Exception {
        Path pids = file("pids");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_PACE", "200",
                "FAKE_CLAUDE_GRANDCHILD", "1", "FAKE_CLAUDE_PIDFILE", pids.toString()));
        RecordingSink gone = new RecordingSink(e -> {
            if (e instanceof ReplyEvent.TextDelta) {
                throw new IOException("Broken pipe");
            }
        }, Integer.MAX_VALUE);
        assertThrows(IOException.class, () -> engine.run(question("hi"), gone));
        assertClean(engine);
        assertFalse(Processes.running(Processes.pid(pids, "self")), "the CLI is gone");
        assertFalse(Processes.running(Processes.pid(pids, "grandchild")), "and so is its child");
    }

    @Test
    void sinkThatHasEnoughStopsTheCli() throws Exception {
        Path pids = file("pids");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_PACE", "200",
                "FAKE_CLAUDE_PIDFILE", pids.toString()));
        RecordingSink enough = new RecordingSink(e -> { }, 3); // Started, BlockStarted, first delta
        engine.run(question("hi"), enough);
        assertEquals(3, enough.events.size());
        assertClean(engine);
        assertFalse(Processes.running(Processes.pid(pids, "self")));
    }

    @Test
    void silentCliTimesOutAs504AndIsKilled() throws Exception {
        Path pids = file("pids");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_MODE", "hang",
                "FAKE_CLAUDE_AFTER", "4", "FAKE_CLAUDE_PIDFILE", pids.toString()), "--idle-timeout", "700ms");
        RecordingSink sink = run(engine, question("hi"));
        Failed f = assertInstanceOf(Failed.class, sink.last());
        assertEquals(ErrorKind.TIMEOUT, f.kind());
        assertEquals(504, f.kind().status());
        assertEquals("The Claude CLI was silent for 700 ms", f.message());
        assertTrue(sink.quietCalls.get() >= 2, "keep-alives were offered while the CLI was quiet");
        assertFalse(Processes.running(Processes.pid(pids, "self")));
    }

    @Test
    void cliThatNeverAnswersTimesOut() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "hang"), "--first-event-timeout", "300ms");
        Failed f = assertInstanceOf(Failed.class, run(engine, question("hi")).last());
        assertEquals(ErrorKind.TIMEOUT, f.kind());
        assertEquals("The Claude CLI did not answer within 300 ms", f.message());
    }

    @Test
    void requestsHaveATotalTimeout() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_PACE", "150"),
                "--timeout", "500ms");
        Failed f = assertInstanceOf(Failed.class, run(engine, question("hi")).last());
        assertEquals("The request took longer than 500 ms", f.message());
    }

    @Test
    void garbageLineIs502() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_MODE", "garbage",
                "FAKE_CLAUDE_AFTER", "5"));
        RecordingSink sink = run(engine, question("hi"));
        assertEquals("Hello", sink.text(), "what came before the garbage was delivered");
        Failed f = assertInstanceOf(Failed.class, sink.last());
        assertEquals(ErrorKind.BAD_GATEWAY, f.kind());
        assertEquals("The Claude CLI printed output the proxy cannot read", f.message());
    }

    @Test
    void exitWithoutResultIs502() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "die", "FAKE_CLAUDE_EXIT", "1"));
        Failed f = assertInstanceOf(Failed.class, run(engine, question("hi")).last());
        assertEquals(ErrorKind.BAD_GATEWAY, f.kind());
        assertEquals("The Claude CLI exited with code 1 without an answer", f.message());
    }

    @Test
    void overLongLineIs502() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_MODE", "longline", "FAKE_CLAUDE_BYTES",
                Integer.toString(CliEngine.MAX_LINE_BYTES + 1000)));
        Failed f = assertInstanceOf(Failed.class, run(engine, question("hi")).last());
        assertEquals(ErrorKind.BAD_GATEWAY, f.kind());
    }

    @Test
    void missingCliIs503() throws Exception {
        CliEngine engine = engine(Map.of(), "--claude", "/no/such/claude");
        Failed f = assertInstanceOf(Failed.class, run(engine, question("hi")).last());
        assertEquals(ErrorKind.UNAVAILABLE, f.kind());
        assertEquals(503, f.kind().status());
    }

    @Test
    void apiErrorKeepsItsKind() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "60-err-401"));
        assertEquals(ErrorKind.AUTHENTICATION, assertInstanceOf(Failed.class, run(engine, question("hi")).last()).kind());
    }

    @Test
    void fullQueueIsRefusedAtOnceWith429() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_MODE", "hang",
                "FAKE_CLAUDE_AFTER", "3"), "--max-concurrent", "1", "--max-queue", "0");
        RecordingSink busy = new RecordingSink();
        Thread first = inBackground(engine, busy);
        busy.started.await();
        RecordingSink refused = new RecordingSink();
        engine.run(question("hi"), refused);
        Failed f = assertInstanceOf(Failed.class, refused.events.get(0));
        assertEquals(ErrorKind.RATE_LIMITED, f.kind());
        assertEquals(Optional.of(Duration.ofSeconds(1)), f.retryAfter());

        engine.close(); // shutdown kills the running CLI: the first run ends
        first.join();
        assertInstanceOf(Failed.class, busy.last());
        assertEquals(0, engine.liveProcesses());
    }

    @Test
    void queuedRequestRunsWhenASlotFrees() throws Exception {
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_CASE", "02-stream-json-partial", "FAKE_CLAUDE_PACE", "30"),
                "--max-concurrent", "1", "--max-queue", "1");
        RecordingSink a = new RecordingSink();
        Thread first = inBackground(engine, a);
        a.started.await();
        RecordingSink b = run(engine, question("hi"));
        first.join();
        assertInstanceOf(Finished.class, a.last());
        assertInstanceOf(Finished.class, b.last());
    }

    private static Thread inBackground(CliEngine engine, RecordingSink sink) {
        return FakeEngines.inBackground(engine, question("hi"), sink);
    }


    @Test
    void noCliStartsAfterShutdown() throws Exception {
        Path pids = file("pids");
        CliEngine engine = engine(Map.of("FAKE_CLAUDE_PIDFILE", pids.toString()));
        engine.close();
        RecordingSink sink = new RecordingSink();
        engine.run(new Conversation("opus", Optional.of("system text"), List.of(Turn.user("hi")), OptionalInt.empty(),
                List.of(), false), sink);
        Failed f = assertInstanceOf(Failed.class, sink.last());
        assertEquals(ErrorKind.UNAVAILABLE, f.kind());
        assertFalse(Files.exists(pids), "no CLI was started");
    }
}
