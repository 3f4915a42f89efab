package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.ImageUrls;
import proxy.json.Json;
import proxy.json.Node;

/**
 * Every Responses request captured from a real client ({@code src/test/resources/client-requests},
 * see its README) is accepted, and what it says comes out as the client meant it: Codex's
 * developer messages, namespace tool, hosted {@code web_search} and reasoning summaries, the
 * Agents SDK's tool-call history and {@code previous_response_id}, the Python SDK's plain forms.
 * Before the Responses API, claude-proxy answered every one of them with a 404.
 */
class ResponsesReplayTest {

    private static final Path CAPTURES = Path.of("src/test/resources/client-requests");

    /** The captured requests to {@code .../responses}, by their path under the captures folder. */
    static List<String> responsesRequests() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CAPTURES)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String path = Node.parse(Files.readString(f)).text("path");
                if (path != null && path.endsWith("/responses")) {
                    found.add(CAPTURES.relativize(f).toString());
                }
            }
        }
        assertEquals(12, found.size(), "the captures are there: " + found); // 3 codex, 5 agents-js, 4 python
        return found;
    }

    private static Node body(String capture) throws IOException {
        Node body = Node.parse(Files.readString(CAPTURES.resolve(capture))).get("body");
        assertTrue(body.isObject(), capture + " has a body");
        return body;
    }

    private static ResponsesRequest read(String capture) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(body(capture).toJson())) {
            return ResponsesRequest.read(p, ResponsesRequestTest.MODELS, new ImageUrls(false));
        }
    }

    private static List<Part> parts(Conversation c) {
        return c.turns().stream().flatMap(t -> t.parts().stream()).toList();
    }

    private static List<String> userTexts(Conversation c) {
        return c.turns().stream().filter(t -> t.role() == Turn.Role.USER).flatMap(t -> t.parts().stream())
                .filter(p -> p instanceof Part.Text).map(p -> ((Part.Text) p).text()).toList();
    }

    /**
     * Accepted, offering every function the body has (namespaced ones flat, in order) and naming
     * every hosted tool, with each history call and output kept by its call id, and the response
     * fields echoed.
     */
    @ParameterizedTest
    @MethodSource("responsesRequests")
    void acceptedWithItsToolsHistoryAndEcho(String capture) throws IOException {
        Node body = body(capture);
        ResponsesRequest r = read(capture);
        Map<String, FunctionName> functions = new LinkedHashMap<>();
        List<String> hosted = new ArrayList<>();
        for (Node t : body.get("tools").elements()) {
            switch (t.text("type")) {
                case "function" -> functions.put(t.text("name"), new FunctionName(Optional.empty(), t.text("name")));
                case "namespace" -> t.get("tools").elements().forEach(f -> functions.put(t.text("name") + "__" + f.text("name"),
                        new FunctionName(Optional.of(t.text("name")), f.text("name"))));
                default -> hosted.add("tools[" + t.text("type") + "]");
            }
        }
        assertEquals(List.copyOf(functions.keySet()),
                r.conversation().tools().offered().stream().map(ClientTool::name).toList());
        assertEquals(functions, r.functions());
        assertTrue(r.ignored().containsAll(hosted), r.ignored().toString());

        List<Part> parts = parts(r.conversation());
        for (Node item : body.get("input").elements()) {
            if ("function_call".equals(item.text("type"))) {
                assertTrue(parts.contains(new Part.ToolCall(item.text("call_id"), item.text("name"),
                        Node.parse(item.text("arguments")).toJson())), capture + ": " + item);
            } else if ("function_call_output".equals(item.text("type"))) {
                assertTrue(parts.contains(new Part.ToolResult(item.text("call_id"),
                        List.of(new Part.Text(item.text("output"))), false)), capture + ": " + item);
            }
        }
        assertEquals(body.get("stream").isTrue(), r.stream());
        assertEquals(!body.has("store") || body.get("store").isTrue(), r.store());
        if (body.text("instructions") != null) {
            assertTrue(r.conversation().system().orElseThrow().startsWith(body.text("instructions")), capture);
        }
        assertEquals(ResponseEcho.NAMES.stream().filter(body::has).sorted().toList(),
                r.echo().fields().keySet().stream().sorted().toList());
        ResponseEcho.NAMES.stream().filter(body::has).forEach(f -> assertEquals(body.get(f), r.echo().fields().get(f), f));
    }

    // ---- Codex

    @ParameterizedTest
    @ValueSource(strings = {"codex/responses-01-first-turn.json", "codex/responses-02-after-tool-call.json",
            "codex/responses-03-model-gpt-5.1-codex-effort-high.json"})
    void codexDeveloperMessagesToolsAndSettings(String capture) throws IOException {
        ResponsesRequest r = read(capture);
        Conversation c = r.conversation();
        assertEquals("opus", c.model());
        String system = c.system().orElseThrow();
        assertTrue(system.startsWith("You are a coding agent running in the Codex CLI"), system.substring(0, 80));
        assertTrue(system.contains("\n\n<skills_instructions>"), "the second developer message follows");
        assertTrue(system.contains("\n\n<permissions instructions>"), "and its second part");
        assertTrue(userTexts(c).get(0).startsWith("<environment_context>"), userTexts(c).get(0));
        assertFalse(userTexts(c).stream().anyMatch(t -> t.startsWith("You are a coding agent")), "developer text is not user text");

        List<String> offered = c.tools().offered().stream().map(ClientTool::name).toList();
        assertEquals(List.of("exec_command", "write_stdin", "request_user_input", "view_image", "multi_agent_v1__close_agent",
                "multi_agent_v1__resume_agent", "multi_agent_v1__send_input", "multi_agent_v1__spawn_agent",
                "multi_agent_v1__wait_agent", "get_goal", "create_goal", "update_goal"), offered);
        assertEquals(new FunctionName(Optional.of("multi_agent_v1"), "close_agent"), r.functions().get("multi_agent_v1__close_agent"));
        assertEquals(new FunctionName(Optional.empty(), "exec_command"), r.functions().get("exec_command"));
        assertTrue(c.tools().offered().get(4).inputSchema().contains("\"target\""), c.tools().offered().get(4).inputSchema());
        assertEquals(Choice.AUTO, c.tools().choice());
        assertTrue(c.tools().parallel());

        assertTrue(r.ignored().contains("tools[web_search]"), r.ignored().toString());
        assertTrue(r.ignored().containsAll(List.of("include", "prompt_cache_key", "client_metadata")), r.ignored().toString());
        assertTrue(r.stream());
        assertFalse(r.store());
        assertTrue(r.reasoningSummary());
        assertTrue(c.thinking());
        assertEquals(Optional.empty(), r.previousResponseId());
    }

    @Test
    void codexFirstTurnIsOneUserTurn() throws IOException {
        Conversation c = read("codex/responses-01-first-turn.json").conversation();
        assertEquals(1, c.turns().size());
        assertEquals("List the files in the current directory, then say done.", userTexts(c).get(1));
        assertEquals(Optional.empty(), c.effort());
    }

    @Test
    void codexToolCallAndItsOutput() throws IOException {
        Conversation c = read("codex/responses-02-after-tool-call.json").conversation();
        assertEquals(3, c.turns().size());
        assertEquals("List the files in the current directory, then say done.", userTexts(c).get(1));
        assertEquals(new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_cap1", "exec_command", "{\"cmd\":\"x\"}"))),
                c.turns().get(1));
        Part.ToolResult result = (Part.ToolResult) c.turns().get(2).parts().get(0);
        assertEquals("call_cap1", result.toolCallId());
        assertTrue(((Part.Text) result.content().get(0)).text().contains("/bin/bash: line 1: x: command not found"));
    }

    @Test
    void codexEffortHigh() throws IOException {
        ResponsesRequest r = read("codex/responses-03-model-gpt-5.1-codex-effort-high.json");
        assertEquals("gpt-5.1-codex", r.model());
        assertEquals(Optional.of("high"), r.conversation().effort());
        assertEquals("Say hi", userTexts(r.conversation()).get(1));
    }

    // ---- the Agents SDK (JavaScript)

    @ParameterizedTest
    @ValueSource(strings = {"openai-agents-js/responses-01-nostream.json", "openai-agents-js/responses-03-stream.json"})
    void agentsFirstTurn(String capture) throws IOException {
        Conversation c = read(capture).conversation();
        assertEquals(Optional.of("You answer weather questions. Use the get_weather tool."), c.system());
        assertEquals(List.of(Turn.user("What is the weather in Paris?")), c.turns());
        ClientTool weather = c.tools().offered().get(0);
        assertEquals("get_weather", weather.name());
        assertEquals("Get the current weather for a city", weather.description());
        assertTrue(weather.inputSchema().contains("\"enum\":[\"celsius\",\"fahrenheit\"]"), weather.inputSchema());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai-agents-js/responses-02-nostream-tool-result.json",
            "openai-agents-js/responses-04-stream-tool-result.json"})
    void agentsToolCallHistory(String capture) throws IOException {
        assertEquals(List.of(
                Turn.user("What is the weather in Paris?"),
                new Turn(Turn.Role.ASSISTANT, List.of(
                        new Part.ToolCall("call_cap1", "get_weather", "{\"city\":\"x\",\"unit\":\"celsius\"}"))),
                new Turn(Turn.Role.USER, List.of(new Part.ToolResult("call_cap1",
                        List.of(new Part.Text("It is 21 degrees celsius and sunny in x.")), false)))),
                read(capture).conversation().turns());
    }

    @Test
    void agentsPreviousResponseId() throws IOException {
        ResponsesRequest r = read("openai-agents-js/responses-05-previous_response_id.json");
        assertEquals(Optional.of("resp_cap660ca53a"), r.previousResponseId());
        assertEquals(List.of(Turn.user("What is my secret code word?")), r.conversation().turns());
        assertEquals(Optional.of("Be brief."), r.conversation().system());
        assertEquals(ClientTools.NONE, r.conversation().tools());
        assertEquals(List.of("include"), r.ignored());
    }

    // ---- the Python SDK

    @Test
    void pythonPlain() throws IOException {
        ResponsesRequest r = read("python-sdks/oa-resp-plain.json");
        assertEquals(new Conversation("sonnet", Optional.empty(), List.of(Turn.user("Reply with exactly: pong")),
                OptionalInt.empty(), List.of(), false, OptionalInt.empty(), Optional.empty(), Optional.empty(),
                ClientTools.NONE), r.conversation());
        assertFalse(r.stream());
        assertTrue(r.store());
    }

    @Test
    void pythonTools() throws IOException {
        Conversation c = read("python-sdks/oa-resp-tools.json").conversation();
        assertEquals(List.of(Turn.user("What's the weather in Boston?")), c.turns());
        assertEquals("Get weather", c.tools().offered().get(0).description());
        Conversation streamed = read("python-sdks/oa-resp-tools-stream.json").conversation();
        assertEquals(Optional.of("Be brief."), streamed.system());
        assertEquals(Choice.AUTO, streamed.tools().choice());
    }

    @Test
    void pythonFunctionCallOutput() throws IOException {
        assertEquals(List.of(
                Turn.user("What's the weather in Boston?"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "get_weather", "{\"location\":\"Boston\"}"))),
                new Turn(Turn.Role.USER, List.of(new Part.ToolResult("call_1", List.of(new Part.Text("22 degrees")), false)))),
                read("python-sdks/oa-resp-function_call_output.json").conversation().turns());
        // no parameters-less default here: the schema is the client's
        assertEquals("{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}",
                read("python-sdks/oa-resp-function_call_output.json").conversation().tools().offered().get(0).inputSchema());
    }
}
