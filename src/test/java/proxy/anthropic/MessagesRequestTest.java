package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.Bodies;
import proxy.http.HttpError;
import proxy.http.ImageUrls;
import proxy.json.Node;

/**
 * {@code tools}, {@code tool_choice} and tool blocks in the history of a Messages request: what
 * they become, and the 400 (with its {@code param}) for each way to get them wrong. Bodies are
 * written with single quotes for readability; {@link #json} turns them into double quotes.
 */
class MessagesRequestTest {

    private static final String HI = "'messages':[{'role':'user','content':'hi'}]";
    private static final String WEATHER = "{'name':'get_weather','description':'Weather in a city',"
            + "'input_schema':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']}}";
    private static final ClientTool WEATHER_TOOL = new ClientTool("get_weather", "Weather in a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    private static final String TIME = "{'name':'get_time','input_schema':{'type':'object'}}";
    private static final ClientTool TIME_TOOL = new ClientTool("get_time", "", "{\"type\":\"object\"}");

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** Parsed as the handler parses a body. */
    static MessagesRequest read(String body) throws IOException {
        return Bodies.parse(json(body).getBytes(StandardCharsets.UTF_8), p -> MessagesRequest.read(p, new ImageUrls(false)));
    }

    /** A request with the given fields before the messages. */
    private static MessagesRequest with(String fields) throws IOException {
        return read("{'model':'opus','max_tokens':100," + fields + "," + HI + "}");
    }

    private static ClientTools tools(String fields) throws IOException {
        return with(fields).tools();
    }

    /** The 400 for these fields, whose param is {@code param} and whose message starts with it. */
    private static HttpError fails(String fields, String param) {
        HttpError e = assertThrows(HttpError.class, () -> with(fields));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals(Optional.of(param), e.param(), e.getMessage());
        assertTrue(e.getMessage().startsWith(param + ": "), e.getMessage());
        return e;
    }

    // ---- tools

    @Test
    void toolsBecomeClientToolsInTheirOrder() throws IOException {
        MessagesRequest r = with("'tools':[" + WEATHER + "," + TIME + "]");

        assertEquals(new ClientTools(List.of(WEATHER_TOOL, TIME_TOOL), Choice.AUTO, true), r.tools());
        assertEquals(r.tools(), r.conversation().tools());
    }

    @Test
    void noToolsIsNone() throws IOException {
        assertEquals(ClientTools.NONE, with("'stream':false").tools());
        assertEquals(ClientTools.NONE, tools("'tools':[]"));
        assertEquals(ClientTools.NONE, tools("'tools':null"));
        assertEquals(ClientTools.NONE, tools("'tools':[],'tool_choice':{'type':'auto'}"));
        assertEquals(ClientTools.NONE, tools("'tools':[],'tool_choice':{'type':'none'}"));
        assertEquals(ClientTools.NONE, with("'stream':false").conversation().tools());
    }

    /** A schema is passed on as the same JSON, compact: nesting, order, $refs, unicode and numbers kept. */
    @Test
    void theSchemaIsTheInputAsCompactJson() throws IOException {
        String schema = """
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "type": "object",
                  "properties": {
                    "path": {"type": "string", "pattern": "^/[a-z]+$", "description": "Pfad \\u00e4 \\"quoted\\""},
                    "count": {"type": "integer", "minimum": 0, "maximum": 1.5e3, "default": -2},
                    "mode": {"anyOf": [{"$ref": "#/$defs/mode"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}
                  },
                  "$defs": {"mode": {"enum": ["a", "b", null, true, 7]}},
                  "required": ["path"],
                  "additionalProperties": false
                }""";
        String body = "{\"model\":\"opus\",\"max_tokens\":9,\"tools\":[{\"name\":\"t\",\"input_schema\":" + schema
                + "}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        MessagesRequest r = Bodies.parse(body.getBytes(StandardCharsets.UTF_8), p -> MessagesRequest.read(p, new ImageUrls(false)));

        String out = r.tools().offered().get(0).inputSchema();
        assertFalse(out.contains("\n") || out.contains(": "), out);
        assertEquals(Node.parse(schema).toJson(), Node.parse(out).toJson());
        assertTrue(out.startsWith("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\""), out);
    }

    @Test
    void customTypeAndExtraKeysAreAccepted() throws IOException {
        ClientTools t = tools("'tools':[{'type':'custom','name':'get_time','input_schema':{'type':'object'},"
                + "'cache_control':{'type':'ephemeral','ttl':'1h'},'eager_input_streaming':true,'defer_loading':false,"
                + "'strict':true,'input_examples':[{'tz':'CET'}],'future_key':{'x':[1]}},"
                + "{'type':null,'name':'get_weather','description':null,'input_schema':{'type':'object'}}]");

        assertEquals(List.of(TIME_TOOL, new ClientTool("get_weather", "", "{\"type\":\"object\"}")), t.offered());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash_20250124", "text_editor_20250728", "web_search_20250305", "web_fetch_20250910",
            "computer_20250124", "code_execution_20250825", "memory_20250818", "function"})
    void anthropicDefinedToolsAreRefused(String type) {
        HttpError e = fails("'tools':[" + WEATHER + ",{'type':'" + type + "','name':'x'}]", "tools.1.type");
        assertTrue(e.getMessage().contains("Anthropic-defined"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot run"), e.getMessage());
        assertTrue(e.getMessage().contains("custom tool"), e.getMessage());
        assertTrue(e.getMessage().contains(type), e.getMessage());
    }

    @Test
    void aToolTypeThatIsNotAStringIsRefused() {
        fails("'tools':[{'type':1,'name':'x','input_schema':{}}]", "tools.0.type");
    }

    @Test
    void toolShapesThatAreRefused() {
        fails("'tools':{'name':'x'}", "tools");
        fails("'tools':'get_weather'", "tools");
        fails("'tools':['get_weather']", "tools.0");
        fails("'tools':[" + WEATHER + ",{'input_schema':{'type':'object'}}]", "tools.1.name");
        fails("'tools':[{'name':'','input_schema':{'type':'object'}}]", "tools.0.name");
        fails("'tools':[{'name':7,'input_schema':{'type':'object'}}]", "tools.0.name");
        fails("'tools':[{'name':'" + "n".repeat(129) + "','input_schema':{'type':'object'}}]", "tools.0.name");
        fails("'tools':[{'name':'x','description':3,'input_schema':{'type':'object'}}]", "tools.0.description");
        fails("'tools':[{'name':'x'}]", "tools.0.input_schema");
        fails("'tools':[{'name':'x','input_schema':null}]", "tools.0.input_schema");
        fails("'tools':[{'name':'x','input_schema':'{}'}]", "tools.0.input_schema");
        fails("'tools':[{'name':'x','input_schema':[]}]", "tools.0.input_schema");
    }

    @Test
    void aNameOf128CharactersIsAccepted() throws IOException {
        String name = "n".repeat(128);
        assertEquals(name, tools("'tools':[{'name':'" + name + "','input_schema':{}}]").offered().get(0).name());
    }

    @Test
    void duplicateNamesAreRefused() {
        HttpError e = fails("'tools':[" + WEATHER + "," + TIME + "," + WEATHER + "]", "tools.2.name");
        assertTrue(e.getMessage().contains("unique") && e.getMessage().contains("tools.0"), e.getMessage());
    }

    // ---- tool_choice

    @Test
    void toolChoices() throws IOException {
        List<ClientTool> both = List.of(WEATHER_TOOL, TIME_TOOL);
        String offered = "'tools':[" + WEATHER + "," + TIME + "],";

        assertEquals(new ClientTools(both, Choice.AUTO, true), tools(offered + "'tool_choice':{'type':'auto'}"));
        assertEquals(new ClientTools(both, Choice.REQUIRED, true), tools(offered + "'tool_choice':{'type':'any'}"));
        assertEquals(new ClientTools(both, Choice.NONE, true), tools(offered + "'tool_choice':{'type':'none'}"));
        assertEquals(new ClientTools(both, new Choice.Named("get_time"), true),
                tools(offered + "'tool_choice':{'type':'tool','name':'get_time'}"));
        assertEquals(new ClientTools(both, Choice.AUTO, true), tools(offered + "'tool_choice':null"));
    }

    @Test
    void disableParallelToolUse() throws IOException {
        String offered = "'tools':[" + WEATHER + "],";
        for (String type : List.of("'auto'", "'any'", "'tool','name':'get_weather'")) {
            assertFalse(tools(offered + "'tool_choice':{'type':" + type + ",'disable_parallel_tool_use':true}").parallel(), type);
            assertTrue(tools(offered + "'tool_choice':{'type':" + type + ",'disable_parallel_tool_use':false}").parallel(), type);
            assertTrue(tools(offered + "'tool_choice':{'type':" + type + ",'disable_parallel_tool_use':null}").parallel(), type);
            assertTrue(tools(offered + "'tool_choice':{'type':" + type + "}").parallel(), type);
        }
    }

    /** Either field may come first; they are checked together. */
    @Test
    void toolChoiceBeforeTools() throws IOException {
        assertEquals(new ClientTools(List.of(WEATHER_TOOL), new Choice.Named("get_weather"), false),
                tools("'tool_choice':{'disable_parallel_tool_use':true,'name':'get_weather','type':'tool'},'tools':[" + WEATHER + "]"));
    }

    @Test
    void toolChoicesThatAreRefused() {
        String offered = "'tools':[" + WEATHER + "],";
        fails(offered + "'tool_choice':{'type':'tool','name':'get_time'}", "tool_choice.name");
        fails(offered + "'tool_choice':{'type':'tool'}", "tool_choice.name");
        fails(offered + "'tool_choice':{'type':'required'}", "tool_choice.type");
        fails(offered + "'tool_choice':{'type':'function','function':{'name':'get_weather'}}", "tool_choice.type");
        fails(offered + "'tool_choice':{'name':'get_weather'}", "tool_choice.type");
        fails(offered + "'tool_choice':'auto'", "tool_choice");
        fails(offered + "'tool_choice':{'type':'auto','disable_parallel_tool_use':'yes'}", "tool_choice.disable_parallel_tool_use");
        fails("'tool_choice':{'type':'any'}", "tool_choice");
        fails("'tools':[],'tool_choice':{'type':'any'}", "tool_choice");
        fails("'tool_choice':{'type':'tool','name':'get_weather'}", "tool_choice");
    }

    // ---- tool blocks in the history

    /** A request whose history holds {@code assistant} (blocks) and then {@code user} (blocks). */
    private static List<Turn> history(String assistant, String user) throws IOException {
        return read("{'model':'opus','max_tokens':100,'tools':[" + WEATHER + "],'messages':["
                + "{'role':'user','content':'weather?'},{'role':'assistant','content':[" + assistant + "]},"
                + "{'role':'user','content':[" + user + "]}]}").conversation().turns();
    }

    private static final String CALL = "{'type':'tool_use','id':'toolu_1','name':'get_weather','input':{'city':'Paris'}}";

    @Test
    void toolUseInputPassesUnchanged() throws IOException {
        String input = "{\"city\":\"Paris\",\"days\":[1,2.5,-3],\"opts\":{\"unit\":null,\"exact\":true},\"note\":\"\\u00e9\\\"\"}";
        String body = "{\"model\":\"opus\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\","
                + "\"input\":" + input + ",\"cache_control\":{\"type\":\"ephemeral\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"ok\"}]}]}";
        MessagesRequest r = Bodies.parse(body.getBytes(StandardCharsets.UTF_8), p -> MessagesRequest.read(p, new ImageUrls(false)));

        Part.ToolCall call = (Part.ToolCall) r.turns().get(1).parts().get(0);
        assertEquals("toolu_1", call.id());
        assertEquals("get_weather", call.name());
        assertEquals(Node.parse(input).toJson(), Node.parse(call.inputJson()).toJson());
    }

    @Test
    void toolUseWithoutInputIsAnEmptyObject() throws IOException {
        List<Turn> turns = history("{'type':'tool_use','id':'toolu_1','name':'get_time'}",
                "{'type':'tool_result','tool_use_id':'toolu_1','content':'noon'}");
        assertEquals(new Part.ToolCall("toolu_1", "get_time", "{}"), turns.get(1).parts().get(0));
    }

    @Test
    void toolResultContentAsAString() throws IOException {
        List<Turn> turns = history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':'18 degrees'}");

        assertEquals(List.of(Turn.user("weather?"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Turn(Turn.Role.USER, List.of(new Part.ToolResult("toolu_1", List.of(new Part.Text("18 degrees")), false)))),
                turns);
    }

    @Test
    void toolResultContentAsTextAndImageBlocks() throws IOException {
        List<Turn> turns = history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':["
                + "{'type':'text','text':'a chart:','cache_control':{'type':'ephemeral'}},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}}]},"
                + "{'type':'text','text':'and now?'}");

        assertEquals(List.of(new Part.ToolResult("toolu_1",
                List.of(new Part.Text("a chart:"), new Part.Image("image/png", "iVBORw0KGgo=")), false),
                new Part.Text("and now?")), turns.get(2).parts());
    }

    @Test
    void toolResultWithoutContentOrWithAnEmptyOne() throws IOException {
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(), false)),
                history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1'}").get(2).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(), false)),
                history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':''}").get(2).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(), false)),
                history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':[]}").get(2).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(), false)),
                history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':null}").get(2).parts());
    }

    @Test
    void toolResultWithIsErrorAndCacheControl() throws IOException {
        List<Turn> turns = history(CALL, "{'type':'tool_result','content':'This command requires approval','is_error':true,"
                + "'tool_use_id':'toolu_1','cache_control':{'type':'ephemeral'}}");

        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(new Part.Text("This command requires approval")), true)),
                turns.get(2).parts());
        assertEquals(List.of(new Part.ToolResult("toolu_1", List.of(new Part.Text("x")), false)),
                history(CALL, "{'type':'tool_result','tool_use_id':'toolu_1','content':'x','is_error':false}").get(2).parts());
    }

    @Test
    void toolBlocksThatAreRefused() {
        String call = "{'role':'user','content':'q'},{'role':'assistant','content':[" + CALL + "]},";
        String head = "{'model':'opus','max_tokens':100,'messages':[";
        assertThrowsParam(head + call + "{'role':'user','content':[{'type':'tool_result','content':'x'}]}]}",
                "messages.2.content.0.tool_use_id");
        assertThrowsParam(head + call + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':3}]}]}",
                "messages.2.content.0.content");
        assertThrowsParam(head + call + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':{'a':1}}]}]}",
                "messages.2.content.0.content");
        assertThrowsParam(head + call + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':"
                + "[{'type':'text','text':'ok'}," + CALL + "]}]}]}", "messages.2.content.0.content.1.type");
        assertThrowsParam(head + call + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':"
                + "[{'type':'text','text':''}]}]}]}", "messages.2.content.0.content.0.text");
        assertThrowsParam(head + "{'role':'user','content':'q'},{'role':'assistant','content':[{'type':'tool_use','name':'x','input':{}}]},"
                + "{'role':'user','content':'r'}]}", "messages.1.content.0.id");
    }

    private static void assertThrowsParam(String body, String param) {
        HttpError e = assertThrows(HttpError.class, () -> read(body));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals(Optional.of(param), e.param(), e.getMessage());
    }
}
