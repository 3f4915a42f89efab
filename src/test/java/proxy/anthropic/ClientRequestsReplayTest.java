package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.Bodies;
import proxy.http.ImageUrls;
import proxy.json.Node;

/**
 * Every Messages request captured from a real client ({@code src/test/resources/client-requests},
 * each file {@code {seq, ts, method, path, query, headers, body}}) is accepted, and its tools,
 * tool choice and tool history come out as the client sent them. Before client tools these
 * requests were all refused with "tools: client tools are not supported" (the folder's
 * {@code proxy-result.txt} files).
 */
class ClientRequestsReplayTest {

    private static final Path DIR = Path.of("src/test/resources/client-requests");

    /** The captured {@code POST /v1/messages} requests (not count_tokens), by their path under {@link #DIR}. */
    static List<String> captures() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json"))
                    .filter(f -> {
                        String path = capture(f).text("path");
                        return path != null && path.startsWith("/v1/messages") && !path.contains("count_tokens");
                    })
                    .map(f -> DIR.relativize(f).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }

    private static Node capture(Path file) {
        try {
            return Node.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    private static Node body(String name) {
        return capture(DIR.resolve(name)).get("body");
    }

    private static MessagesRequest read(String name) throws IOException {
        byte[] json = body(name).toJson().getBytes(StandardCharsets.UTF_8);
        return Bodies.parse(json, p -> MessagesRequest.read(p, new ImageUrls(false)));
    }

    @Test
    void theCapturesAreFound() throws IOException {
        List<String> all = captures();
        assertTrue(all.containsAll(List.of("claude-code/messages-01-first-turn.json", "claude-code/messages-02-after-tool-result.json",
                "continue-cli/anthropic-messages-02-after-tool-result.json", "opencode/anthropic-02-first-turn.json",
                "opencode/anthropic-03-after-tool-result.json", "python-sdks/an-tool_choice-any.json",
                "python-sdks/an-tool_choice-none.json", "python-sdks/an-tool_choice-tool-noparallel.json",
                "python-sdks/an-parallel-results.json", "python-sdks/an-cache_control-tools.json",
                "python-sdks/an-beta-tool_runner.json", "python-sdks/an-beta-tool_runner-2.json")), all.toString());
        assertFalse(all.contains("python-sdks/an-count_tokens.json"));
    }

    /** Accepted, and every tool and tool block is the client's own, schemas equal as JSON. */
    @ParameterizedTest
    @MethodSource("captures")
    void acceptedWithToolsAndHistoryIntact(String name) throws IOException {
        Node body = body(name);
        MessagesRequest r = read(name);
        Conversation c = r.conversation();

        List<Node> sent = body.get("tools").elements();
        List<ClientTool> offered = r.tools().offered();
        assertEquals(sent.size(), offered.size());
        for (int i = 0; i < sent.size(); i++) {
            Node t = sent.get(i);
            ClientTool tool = offered.get(i);
            assertEquals(t.text("name"), tool.name());
            assertEquals(t.has("description") ? t.text("description") : "", tool.description());
            assertEquals(t.get("input_schema").toJson(), Node.parse(tool.inputSchema()).toJson(), tool.name());
        }
        if (sent.isEmpty()) {
            assertEquals(ClientTools.NONE, r.tools());
        }
        assertEquals(r.tools(), c.tools());

        assertEquals(toolBlocks(body), toolParts(c.turns()), name);
        assertEquals(Turn.Role.USER, c.turns().get(c.turns().size() - 1).role());
    }

    @Test
    void claudeCodeFirstTurn() throws IOException {
        MessagesRequest r = read("claude-code/messages-01-first-turn.json");

        List<String> names = r.tools().offered().stream().map(ClientTool::name).toList();
        assertEquals(List.of("Agent", "Bash", "Edit", "ListAgents", "Read", "ReportFindings", "ScheduleWakeup", "Skill",
                "ToolSearch", "Workflow", "DeferredToolPlaceholder", "Write"), names);
        assertEquals(new ClientTool("DeferredToolPlaceholder",
                "Reserved placeholder that keeps deferred tool loading active; never call this tool.",
                "{\"type\":\"object\",\"properties\":{}}"), r.tools().offered().get(10)); // defer_loading: ignored
        int schemaBytes = r.tools().offered().stream().mapToInt(t -> t.inputSchema().length()).sum();
        assertTrue(schemaBytes > 10_000, "schemas: " + schemaBytes);
        assertEquals(Choice.AUTO, r.tools().choice());
        assertTrue(r.tools().parallel());
        // the {"role":"system"} message inside messages joins the system text; one user turn stays
        assertEquals(1, r.turns().size());
        assertTrue(r.system().orElseThrow().contains("# Environment"), r.system().orElseThrow());
        assertTrue(r.stream());
    }

    @Test
    void claudeCodeAfterARefusedToolCall() throws IOException {
        List<Turn> turns = read("claude-code/messages-02-after-tool-result.json").turns();

        assertEquals(List.of(Turn.Role.USER, Turn.Role.ASSISTANT, Turn.Role.USER), turns.stream().map(Turn::role).toList());
        assertEquals(List.of(new Part.ToolCall("toolu_cap1", "Bash", "{\"command\":\"x\"}")), turns.get(1).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_cap1", List.of(new Part.Text("This command requires approval")), true)),
                turns.get(2).parts());
    }

    @Test
    void claudeCodeWithToolsOff() throws IOException {
        assertEquals(ClientTools.NONE, read("claude-code/messages-03-tools-empty-flag.json").tools());
    }

    @Test
    void continueAfterAToolResult() throws IOException {
        MessagesRequest r = read("continue-cli/anthropic-messages-02-after-tool-result.json");

        assertEquals(11, r.tools().offered().size());
        assertEquals(new Part.ToolCall("toolu_cap1", "Bash", "{\"command\":\"x\"}"), r.turns().get(1).parts().get(0));
        assertEquals(new Part.ToolResult("toolu_cap1", List.of(new Part.Text(
                "Error executing tool Bash: Error (exit code 127): /bin/bash: line 1: x: command not found\n")), false),
                r.turns().get(2).parts().get(0));
    }

    @Test
    void opencodeWithEagerInputStreamingAndToolChoiceAuto() throws IOException {
        for (String name : List.of("opencode/anthropic-02-first-turn.json", "opencode/anthropic-03-after-tool-result.json")) {
            MessagesRequest r = read(name);
            assertEquals(List.of("bash", "edit", "glob", "grep", "read", "skill", "task", "todowrite", "webfetch", "write"),
                    r.tools().offered().stream().map(ClientTool::name).toList(), name);
            assertEquals(Choice.AUTO, r.tools().choice(), name);
            assertTrue(r.tools().parallel(), name);
        }
        List<Turn> turns = read("opencode/anthropic-03-after-tool-result.json").turns();
        assertEquals(List.of(new Part.ToolResult("toolu_cap1", List.of(new Part.Text("/bin/bash: line 1: x: command not found\n")), false)),
                turns.get(2).parts());
    }

    @Test
    void pythonSdkToolChoices() throws IOException {
        ClientTools any = read("python-sdks/an-tool_choice-any.json").tools();
        assertEquals(Choice.REQUIRED, any.choice());
        assertTrue(any.parallel());

        ClientTools none = read("python-sdks/an-tool_choice-none.json").tools();
        assertEquals(Choice.NONE, none.choice());
        assertEquals(1, none.offered().size());
        assertEquals(List.of(), none.served());

        ClientTools named = read("python-sdks/an-tool_choice-tool-noparallel.json").tools();
        assertEquals(new Choice.Named("get_weather"), named.choice());
        assertFalse(named.parallel());
        assertEquals(List.of("get_weather"), named.served().stream().map(ClientTool::name).toList());
    }

    @Test
    void pythonSdkParallelResults() throws IOException {
        List<Turn> turns = read("python-sdks/an-parallel-results.json").turns();

        assertEquals(List.of(new Part.Text("I'll check both."),
                new Part.ToolCall("toolu_1", "get_weather", "{\"location\":\"Boston, MA\"}"),
                new Part.ToolCall("toolu_2", "get_weather", "{\"location\":\"Paris, France\"}")), turns.get(1).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(new Part.Text("22 degrees")), false),
                new Part.ToolResult("toolu_2", List.of(new Part.Text("18 degrees")), false)), turns.get(2).parts());
    }

    @Test
    void pythonSdkCacheControlOnATool() throws IOException {
        MessagesRequest r = read("python-sdks/an-cache_control-tools.json");

        assertEquals(new ClientTool("get_weather", "Get the current weather in a given location",
                "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\",\"description\":\"The city and state\"},"
                        + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"location\"]}"),
                r.tools().offered().get(0));
        assertEquals("You are helpful.", r.system().orElseThrow());
    }

    @Test
    void pythonSdkBetaToolRunner() throws IOException {
        MessagesRequest first = read("python-sdks/an-beta-tool_runner.json");
        MessagesRequest second = read("python-sdks/an-beta-tool_runner-2.json");

        assertEquals(first.tools(), second.tools());
        assertTrue(second.tools().offered().get(0).inputSchema().contains("\"additionalProperties\":false"));
        assertEquals(List.of(new Part.ToolCall("toolu_cap1", "get_weather", "{\"location\":\"x\"}")), second.turns().get(1).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_cap1", List.of(new Part.Text("22 degrees")), false)),
                second.turns().get(2).parts());
    }

    // ---- tool blocks of a body and tool parts of turns, in one comparable shape

    /** "use id name input" and "result id is_error text…" lines for each tool block of the body's messages. */
    private static List<String> toolBlocks(Node body) {
        List<String> out = new ArrayList<>();
        for (Node m : body.get("messages").elements()) {
            for (Node b : m.get("content").elements()) {
                switch (String.valueOf(b.text("type"))) {
                    case "tool_use" -> out.add("use " + b.text("id") + " " + b.text("name") + " " + b.get("input").toJson());
                    case "tool_result" -> {
                        StringBuilder sb = new StringBuilder("result " + b.text("tool_use_id") + " " + b.get("is_error").isTrue());
                        Node c = b.get("content");
                        if (c.text() != null && !c.text().isEmpty()) {
                            sb.append(" text:").append(c.text());
                        }
                        for (Node inner : c.elements()) {
                            sb.append(" ").append(inner.text("type")).append(":").append(inner.text("text"));
                        }
                        out.add(sb.toString());
                    }
                    default -> { }
                }
            }
        }
        return out;
    }

    private static List<String> toolParts(List<Turn> turns) {
        List<String> out = new ArrayList<>();
        for (Turn t : turns) {
            for (Part p : t.parts()) {
                switch (p) {
                    case Part.ToolCall c -> out.add("use " + c.id() + " " + c.name() + " " + parse(c.inputJson()).toJson());
                    case Part.ToolResult r -> {
                        StringBuilder sb = new StringBuilder("result " + r.toolCallId() + " " + r.isError());
                        for (Part inner : r.content()) {
                            sb.append(" ").append(inner instanceof Part.Text text ? "text:" + text.text() : "image:null");
                        }
                        out.add(sb.toString());
                    }
                    default -> { }
                }
            }
        }
        return out;
    }

    private static Node parse(String json) {
        try {
            return Node.parse(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
