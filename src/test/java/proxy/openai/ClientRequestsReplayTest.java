package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
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
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.ImageUrls;
import proxy.json.Json;
import proxy.json.Node;

/**
 * Every Chat Completions request captured from a real client ({@code src/test/resources/client-requests},
 * see its README) is accepted, and its tools, tool choice and the tool calls and results of its
 * history come out as the client sent them. Until client tools, claude-proxy answered most of
 * them with a 400.
 */
class ClientRequestsReplayTest {

    private static final Path CAPTURES = Path.of("src/test/resources/client-requests");

    /** The captured requests to {@code .../chat/completions}, by their path under the captures folder. */
    static List<String> chatRequests() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CAPTURES)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String path = Node.parse(Files.readString(f)).text("path");
                if (path != null && path.endsWith("/chat/completions")) {
                    found.add(CAPTURES.relativize(f).toString());
                }
            }
        }
        assertTrue(found.size() >= 19, "the captures are there: " + found); // 19 when this was written
        return found;
    }

    private static Node body(String capture) throws IOException {
        Node body = Node.parse(Files.readString(CAPTURES.resolve(capture))).get("body");
        assertTrue(body.isObject(), capture + " has a body");
        return body;
    }

    private static ChatRequest read(String capture) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(body(capture).toJson())) {
            return ChatRequest.read(p, ChatRequestTest.MODELS, new ImageUrls(false), ChatRequestTest.CONFIG.maxN());
        }
    }

    private static List<Part> parts(ChatRequest r) {
        return r.conversation().turns().stream().flatMap(t -> t.parts().stream()).toList();
    }

    /** Accepted, with the tools the body offers (by name, in order) and each history call and result kept by id. */
    @ParameterizedTest
    @MethodSource("chatRequests")
    void acceptedWithItsToolsAndHistory(String capture) throws IOException {
        Node body = body(capture);
        ChatRequest r = read(capture);
        List<String> offered = new ArrayList<>();
        body.get("tools").elements().forEach(t -> offered.add(t.get("function").text("name")));
        body.get("functions").elements().forEach(f -> offered.add(f.text("name")));
        assertEquals(offered, r.conversation().tools().offered().stream().map(ClientTool::name).toList());
        assertEquals(body.has("functions") && !body.get("functions").elements().isEmpty(), r.legacyFunctions());

        List<Part> parts = parts(r);
        for (Node m : body.get("messages").elements()) {
            for (Node call : m.get("tool_calls").elements()) {
                String id = call.text("id");
                Part.ToolCall part = parts.stream().filter(p -> p instanceof Part.ToolCall c && c.id().equals(id))
                        .map(Part.ToolCall.class::cast).findFirst().orElseThrow(() -> new AssertionError("no call " + id));
                assertEquals(call.get("function").text("name"), part.name());
                assertEquals(Node.parse(call.get("function").text("arguments")).toJson(), part.inputJson());
            }
            if ("tool".equals(m.text("role"))) {
                String id = m.text("tool_call_id");
                String text = m.text("content"); // every capture sends a string
                List<Part> content = text.isEmpty() ? List.of() : List.of(new Part.Text(text));
                assertTrue(parts.stream().anyMatch(p -> p instanceof Part.ToolResult t && t.toolCallId().equals(id)
                        && t.content().equals(content)), "the result of " + id);
            }
        }
    }

    @Test
    void continueCliSendsElevenToolsThenItsBashCallAndResult() throws IOException {
        ChatRequest r = read("continue-cli/chat-02-after-tool-result.json");
        ClientTools tools = r.conversation().tools();
        assertEquals(11, tools.offered().size());
        assertEquals(Choice.AUTO, tools.choice());
        assertTrue(r.stream() && r.includeUsage());
        List<Turn> turns = r.conversation().turns();
        assertEquals(3, turns.size());
        assertEquals(new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_cap1", "Bash", "{\"command\":\"x\"}"))),
                turns.get(1)); // content "" adds no text part
        Part.ToolResult result = (Part.ToolResult) turns.get(2).parts().get(0);
        assertEquals("call_cap1", result.toolCallId());
        assertTrue(((Part.Text) result.content().get(0)).text().contains("command not found"), result.toString());
    }

    @Test
    void opencodeOffersTenToolsWithChoiceAuto() throws IOException {
        ClientTools tools = read("opencode/chat-02-first-turn.json").conversation().tools();
        List<String> names = tools.offered().stream().map(ClientTool::name).toList();
        assertEquals(10, names.size());
        assertTrue(names.contains("bash") && names.contains("read"), names.toString());
        assertEquals(Choice.AUTO, tools.choice());
        assertTrue(tools.offered().stream().allMatch(t -> !t.description().isEmpty()), "descriptions kept");
        assertSame(ClientTools.NONE, read("opencode/chat-01-title-no-tools.json").conversation().tools()); // tools: []
    }

    @Test
    void pythonSdkToolChoices() throws IOException {
        assertEquals(new Choice.Named("get_weather"),
                read("python-sdks/oa-chat-tool_choice-named.json").conversation().tools().choice());
        assertEquals(Choice.REQUIRED, read("python-sdks/oa-chat-tool_choice-required.json").conversation().tools().choice());
        assertEquals(Choice.NONE, read("python-sdks/oa-chat-tool_choice-none.json").conversation().tools().choice());
        assertFalse(read("python-sdks/oa-chat-parallel-false.json").conversation().tools().parallel());
        assertTrue(read("python-sdks/oa-chat-tools.json").conversation().tools().parallel());
    }

    @Test
    void pythonSdkLegacyFunctions() throws IOException {
        ChatRequest r = read("python-sdks/oa-chat-legacy-functions.json");
        assertTrue(r.legacyFunctions());
        ClientTools tools = r.conversation().tools();
        assertEquals(1, tools.offered().size());
        ClientTool weather = tools.offered().get(0);
        assertEquals("get_weather", weather.name());
        assertEquals("Get the current weather in a given location", weather.description());
        assertEquals(body("python-sdks/oa-chat-legacy-functions.json").get("functions").elements().get(0).get("parameters").toJson(),
                weather.inputSchema());
        assertEquals(Choice.AUTO, tools.choice()); // function_call: "auto"
    }

    /** Pydantic schemas use $defs and $ref: passed on unchanged, for the model to read as the client wrote them. */
    @Test
    void pydanticSchemasArePassedOnUnchanged() throws IOException {
        for (String capture : List.of("python-sdks/oa-chat-parse-pydantic.json", "python-sdks/oa-chat-pydantic-strict.json")) {
            ClientTool lookup = read(capture).conversation().tools().offered().get(0);
            Node sent = body(capture).get("tools").elements().get(0).get("function").get("parameters");
            assertEquals(sent.toJson(), Node.parse(lookup.inputSchema()).toJson(), capture);
            assertTrue(lookup.inputSchema().contains("\"$defs\"") && lookup.inputSchema().contains("\"$ref\":\"#/$defs/Address\""));
        }
    }

    @Test
    void parallelResultsComeBackInOneUserTurn() throws IOException {
        List<Turn> turns = read("python-sdks/oa-chat-parallel-results.json").conversation().turns();
        assertEquals(List.of("call_1", "call_2"), turns.get(1).parts().stream().map(p -> ((Part.ToolCall) p).id()).toList());
        assertEquals(List.of("call_1", "call_2"), turns.get(2).parts().stream().map(p -> ((Part.ToolResult) p).toolCallId()).toList());
    }
}
