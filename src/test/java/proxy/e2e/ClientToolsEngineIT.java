package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.StopReason;
import proxy.chat.Turn;
import proxy.cli.CliEngine;
import proxy.config.Args;
import proxy.config.Config;
import proxy.json.Node;

/**
 * Client tools through the engine and the real CLI against {@link FakeAnthropic}: the model's
 * call reaches the client under the client's name, the CLI waits inside its turn, and the
 * result given with the next conversation reaches the model from that same CLI.
 */
class ClientToolsEngineIT {

    private static final String SESSION = "x-claude-code-session-id";
    private static final List<ClientTool> TOOLS = List.of(
            new ClientTool("Bash", "Runs a shell command.",
                    "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}},\"required\":[\"command\"]}"),
            new ClientTool("read", "Reads a file.", "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}"));

    @TempDir
    Path tmp;

    private CliEngine engine(FakeAnthropic upstream, String... flags) throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        List<String> args = new ArrayList<>(List.of("--claude", claude.toString(), "--timeout", "120s", "--warm", "0"));
        args.addAll(List.of(flags));
        Config config = ((Args.Run) Args.parse(args.toArray(String[]::new), RealCli.env(home, upstream.baseUrl()))).config();
        return new CliEngine(config, cwd);
    }

    private static Conversation conversation(List<Turn> turns) {
        return new Conversation("haiku", Optional.empty(), turns, OptionalInt.empty(), List.of(), false, OptionalInt.empty(),
                Optional.empty(), Optional.empty(), new ClientTools(TOOLS, ClientTools.Choice.AUTO, true));
    }

    private static List<ReplyEvent> run(CliEngine engine, Conversation c) throws IOException {
        List<ReplyEvent> events = new ArrayList<>();
        engine.run(c, e -> {
            events.add(e);
            return !(e instanceof ReplyEvent.Finished || e instanceof ReplyEvent.Failed);
        });
        return events;
    }

    /** The calls of a reply: id, client name, arguments as sent in deltas. */
    private static List<Part.ToolCall> calls(List<ReplyEvent> events) {
        List<Part.ToolCall> calls = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (ReplyEvent e : events) {
            if (e instanceof ReplyEvent.BlockStarted b && b.block() instanceof ReplyEvent.Block.ToolCall c) {
                calls.add(new Part.ToolCall(c.id(), c.name(), ""));
                indexes.add(b.index());
            } else if (e instanceof ReplyEvent.ToolInputDelta d && indexes.contains(d.index())) {
                int i = indexes.indexOf(d.index());
                Part.ToolCall c = calls.get(i);
                calls.set(i, new Part.ToolCall(c.id(), c.name(), c.inputJson() + d.partialJson()));
            }
        }
        return calls;
    }

    private static String text(List<ReplyEvent> events) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e instanceof ReplyEvent.TextDelta).forEach(e -> sb.append(((ReplyEvent.TextDelta) e).text()));
        return sb.toString();
    }

    /** The last message of the user role that a request sent upstream. */
    private static Node lastUserMessage(FakeAnthropic.Recorded request) throws IOException {
        return Node.parse(request.body()).get("messages").elements().stream()
                .filter(m -> "user".equals(m.text("role"))).reduce((a, b) -> b).orElseThrow();
    }

    /** The tool_result for call {@code id} in the last user message of {@code request}. */
    private static Node result(FakeAnthropic.Recorded request, String id) throws IOException {
        return lastUserMessage(request).get("content").elements().stream()
                .filter(b -> "tool_result".equals(b.text("type")) && id.equals(b.text("tool_use_id")))
                .findFirst().orElseThrow(() -> new AssertionError("no result for " + id + " in " + request.body()));
    }

    /** A tool_result's text, whether its content is a string or text blocks. */
    static String resultText(Node result) {
        Node content = result.get("content");
        if (content.text() != null) {
            return content.text();
        }
        StringBuilder sb = new StringBuilder();
        content.elements().forEach(b -> sb.append(String.valueOf(b.text("text"))));
        return sb.toString();
    }

    @Test
    void aCallIsHeldAndItsResultContinuesTheSameCli() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUses("Let me look.",
                            new FakeAnthropic.Call("mcp__proxy__Bash", "{\"command\":\"ls\"}"),
                            new FakeAnthropic.Call("mcp__proxy__read", "{\"path\":\"a.txt\"}")),
                    FakeAnthropic.Reply.text("Two files, ", "one read."));
            List<Turn> turns = new ArrayList<>(List.of(Turn.user("List the files and read a.txt")));
            List<ReplyEvent> first = run(engine, conversation(turns));

            List<Part.ToolCall> calls = calls(first);
            assertEquals(List.of("Bash", "read"), calls.stream().map(Part.ToolCall::name).toList(), first.toString());
            assertEquals("{\"command\":\"ls\"}", calls.get(0).inputJson());
            assertEquals("{\"path\":\"a.txt\"}", calls.get(1).inputJson());
            assertEquals("Let me look.", text(first));
            ReplyEvent.Finished stop = assertInstanceOf(ReplyEvent.Finished.class, first.getLast());
            assertEquals(StopReason.TOOL_USE, stop.reason());

            Node offered = Node.parse(upstream.requests().getFirst().body()).get("tools");
            List<String> names = offered.elements().stream().map(t -> t.text("name")).toList();
            assertTrue(names.containsAll(List.of("mcp__proxy__Bash", "mcp__proxy__read")), names.toString());
            Node bash = offered.elements().stream().filter(t -> t.text("name").equals("mcp__proxy__Bash")).findFirst().orElseThrow();
            assertEquals(Node.parse(TOOLS.get(0).inputSchema()).get("properties").toJson(),
                    bash.get("input_schema").get("properties").toJson());

            turns.add(new Turn(Turn.Role.ASSISTANT, List.of(new Part.Text("Let me look."), calls.get(0), calls.get(1))));
            turns.add(new Turn(Turn.Role.USER, List.of(
                    new Part.ToolResult(calls.get(0).id(), List.of(new Part.Text("a.txt\nb.txt")), false),
                    new Part.ToolResult(calls.get(1).id(), List.of(new Part.Text("no such file")), true))));
            List<ReplyEvent> second = run(engine, conversation(turns));

            assertEquals("Two files, one read.", text(second), second.toString());
            // the CLI's result counts its whole turn: the continuation reports what came after the calls
            assertEquals(10, stop.usage().inputTokens(), stop.toString());
            ReplyEvent.Finished end = (ReplyEvent.Finished) second.getLast();
            assertEquals(10, end.usage().inputTokens(), end.toString());
            assertEquals(2, end.usage().outputTokens(), end.toString());
            assertEquals(StopReason.END_TURN, assertInstanceOf(ReplyEvent.Finished.class, second.getLast()).reason());
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertEquals(2, requests.size(), "one model call per round: the CLI ran no turn of its own");
            assertEquals(requests.get(0).headers().get(SESSION), requests.get(1).headers().get(SESSION),
                    "the result continued the CLI that made the call");
            Node ls = result(requests.get(1), calls.get(0).id()); // the CLI lists results as they came, in any order
            assertEquals("a.txt\nb.txt", resultText(ls), ls.toJson());
            assertTrue(!ls.get("is_error").isTrue(), ls.toJson());
            Node missing = result(requests.get(1), calls.get(1).id());
            assertEquals("no such file", resultText(missing), missing.toJson());
            assertTrue(missing.get("is_error").isTrue(), missing.toJson());
        }
    }

    @Test
    void anErrorFirstDoesNotCostTheCallsAfterIt() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUses("",
                            new FakeAnthropic.Call("mcp__proxy__Bash", "{\"command\":\"false\"}"),
                            new FakeAnthropic.Call("mcp__proxy__read", "{\"path\":\"a\"}"),
                            new FakeAnthropic.Call("mcp__proxy__Bash", "{\"command\":\"true\"}")),
                    FakeAnthropic.Reply.text("Done."));
            List<Turn> turns = new ArrayList<>(List.of(Turn.user("Three things")));
            List<Part.ToolCall> calls = calls(run(engine, conversation(turns)));
            assertEquals(3, calls.size());
            turns.add(new Turn(Turn.Role.ASSISTANT, List.copyOf(calls)));
            turns.add(new Turn(Turn.Role.USER, List.of(
                    new Part.ToolResult(calls.get(0).id(), List.of(new Part.Text("exit 1")), true),
                    new Part.ToolResult(calls.get(1).id(), List.of(new Part.Text("A")), false),
                    new Part.ToolResult(calls.get(2).id(), List.of(), false))));
            assertEquals("Done.", text(run(engine, conversation(turns))));

            FakeAnthropic.Recorded second = upstream.requests().get(1);
            assertEquals(upstream.requests().get(0).headers().get(SESSION), second.headers().get(SESSION));
            assertTrue(result(second, calls.get(0).id()).get("is_error").isTrue());
            assertEquals("exit 1", resultText(result(second, calls.get(0).id())));
            assertEquals("A", resultText(result(second, calls.get(1).id())));
            assertTrue(!result(second, calls.get(2).id()).get("is_error").isTrue(), "an empty result is not an error");
        }
    }

    @Test
    void aNamedToolChoiceServesThatToolAloneAndAsksForIt() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream)) {
            upstream.reply(FakeAnthropic.Reply.text("Fine."));
            Conversation named = new Conversation("haiku", Optional.of("Be brief."), List.of(Turn.user("Hi")),
                    OptionalInt.empty(), List.of(), false, OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    new ClientTools(TOOLS, new ClientTools.Choice.Named("read"), false));
            assertEquals("Fine.", text(run(engine, named)));
            Node request = Node.parse(upstream.requests().getFirst().body());
            List<String> names = request.get("tools").elements().stream().map(t -> t.text("name")).toList();
            assertEquals(List.of("mcp__proxy__read"), names.stream().filter(n -> n.startsWith("mcp__")).toList());
            String system = request.get("system").toJson();
            assertTrue(system.contains("Be brief.") && system.contains("You must answer this message by calling the tool mcp__proxy__read.")
                    && system.contains("Call at most one tool per message."), system);
        }
    }

    /** Runs a first turn in which the model calls {@code Bash}; returns the turns so far and the call. */
    private static Part.ToolCall callBash(CliEngine engine, List<Turn> turns) throws IOException {
        List<ReplyEvent> first = run(engine, conversation(turns));
        List<Part.ToolCall> calls = calls(first);
        assertEquals(1, calls.size(), first.toString());
        turns.add(new Turn(Turn.Role.ASSISTANT, List.of(calls.getFirst())));
        return calls.getFirst();
    }

    @Test
    void aLoneErrorKeepsItsFlagAndALargeResultArrivesWhole() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__Bash", "{\"command\":\"false\"}"),
                    FakeAnthropic.Reply.toolUse("mcp__proxy__Bash", "{\"command\":\"cat big\"}"),
                    FakeAnthropic.Reply.text("Seen."));
            List<Turn> turns = new ArrayList<>(List.of(Turn.user("Run false, then cat big")));
            Part.ToolCall fails = callBash(engine, turns);
            turns.add(new Turn(Turn.Role.USER, List.of(new Part.ToolResult(fails.id(), List.of(new Part.Text("exit 1")), true))));
            Part.ToolCall big = callBash(engine, turns);
            String large = "0123456789abcdef".repeat(12_500); // 200,000 characters: the CLI's default cap is ~50,000
            turns.add(new Turn(Turn.Role.USER, List.of(new Part.ToolResult(big.id(), List.of(new Part.Text(large)), false))));
            List<ReplyEvent> last = run(engine, conversation(turns));

            assertEquals("Seen.", text(last), last.toString());
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertEquals(3, requests.size());
            assertEquals(1, requests.stream().map(r -> r.headers().get(SESSION)).distinct().count(), "one CLI throughout");
            Node error = result(requests.get(1), fails.id());
            assertEquals("exit 1", resultText(error));
            assertTrue(error.get("is_error").isTrue(), error.toJson());
            assertEquals(large, resultText(result(requests.get(2), big.id())), "the whole result, not a file preview");
        }
    }

    @Test
    void aClientThatComesBackAfterTheHoldWindowGetsAFreshCliWithTheHistoryAsText() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream, "--tool-hold", "1s")) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__Bash", "{\"command\":\"ls\"}"),
                    FakeAnthropic.Reply.text("Listed."));
            List<Turn> turns = new ArrayList<>(List.of(Turn.user("List the files")));
            Part.ToolCall ls = callBash(engine, turns);
            Thread.sleep(2_500); // past the window: the held CLI is stopped
            turns.add(new Turn(Turn.Role.USER, List.of(new Part.ToolResult(ls.id(), List.of(new Part.Text("a.txt")), false))));
            List<ReplyEvent> second = run(engine, conversation(turns));

            assertEquals("Listed.", text(second), second.toString());
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertEquals(2, requests.size());
            assertTrue(!requests.get(0).headers().get(SESSION).equals(requests.get(1).headers().get(SESSION)), "a new CLI");
            assertSeededCall(requests.get(1), ls, "a.txt");
        }
    }

    @Test
    void aFollowUpThatDoesNotAnswerTheHeldCallsRunsOnAFreshCli() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic(); CliEngine engine = engine(upstream)) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__Bash", "{\"command\":\"ls\"}"),
                    FakeAnthropic.Reply.text("Listed."));
            List<Turn> turns = new ArrayList<>(List.of(Turn.user("List the files")));
            Part.ToolCall ls = callBash(engine, turns);
            // the result, and words of the user's own that a held call has no room for
            turns.add(new Turn(Turn.Role.USER, List.of(new Part.ToolResult(ls.id(), List.of(new Part.Text("a.txt")), false),
                    new Part.Text("Also count them."))));
            List<ReplyEvent> second = run(engine, conversation(turns));

            assertEquals("Listed.", text(second), second.toString());
            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertTrue(!requests.get(0).headers().get(SESSION).equals(requests.get(1).headers().get(SESSION)), "a new CLI");
            assertSeededCall(requests.get(1), ls, "a.txt");
            assertTrue(lastUserMessage(requests.get(1)).toJson().contains("Also count them."));
        }
    }

    /**
     * The request carries the call and its result as the history's text (a fresh CLI cannot
     * resume a session that ends in calls: see CliEngine.place), in the last user message.
     */
    private static void assertSeededCall(FakeAnthropic.Recorded request, Part.ToolCall call, String result) throws IOException {
        String question = lastUserMessage(request).toJson();
        assertTrue(question.contains("[called tool mcp__proxy__Bash with {\\\"command\\\":\\\"ls\\\"}]"), question);
        assertTrue(question.contains("[tool result: " + result + "]"), question);
        assertTrue(!request.body().contains("\"tool_result\""), "no result block without its call: " + request.body());
    }
}
