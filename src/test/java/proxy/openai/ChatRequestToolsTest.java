package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static proxy.openai.ChatRequestTest.fails;
import static proxy.openai.ChatRequestTest.read;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.HttpError;

/**
 * The tool fields of a Chat Completions body ({@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls}, the deprecated {@code functions} and {@code function_call}) and
 * the deprecated {@code function_call} / {@code function} messages. Bodies use single quotes,
 * as in {@link ChatRequestTest}.
 */
class ChatRequestToolsTest {

    private static final String HI = "'messages':[{'role':'user','content':'hi'}]";
    private static final String WEATHER = "{'type':'function','function':{'name':'get_weather','description':'Weather now',"
            + "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']},'strict':true}}";
    private static final String TIME = "{'type':'function','function':{'name':'get_time'}}";
    private static final ClientTool WEATHER_TOOL = new ClientTool("get_weather", "Weather now",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    private static final ClientTool TIME_TOOL = new ClientTool("get_time", "", ClientTool.NO_ARGUMENTS);

    private static ChatRequest with(String fields) throws IOException {
        return read("{'model':'gpt-4o'," + HI + "," + fields + "}");
    }

    private static ClientTools tools(String fields) throws IOException {
        return with(fields).conversation().tools();
    }

    private static HttpError failsWith(String fields, String param) {
        return fails("{'model':'gpt-4o'," + HI + "," + fields + "}", 400, param);
    }

    private static List<Turn> turns(String messages) throws IOException {
        return read("{'model':'sonnet','messages':[" + messages + "]}").conversation().turns();
    }

    // ---- tools

    @Test
    void toolsBecomeClientToolsInTheirOrder() throws IOException {
        ChatRequest r = with("'tools':[" + WEATHER + "," + TIME + "]");
        assertEquals(new ClientTools(List.of(WEATHER_TOOL, TIME_TOOL), Choice.AUTO, true), r.conversation().tools());
        assertFalse(r.legacyFunctions());
    }

    @Test
    void aSchemaIsPassedOnAsCompactJsonInItsOwnOrder() throws IOException {
        ClientTools t = tools("'tools':[{'type':'function','function':{'name':'f','parameters':"
                + "{ 'required' : ['b'], 'type':'object', 'properties':{'b':{'type':['string','null'],'$ref':'#/$defs/B'}},"
                + "'$defs':{'B':{'enum':[1, 2.5, true, null]}} }}}]");
        assertEquals("{\"required\":[\"b\"],\"type\":\"object\",\"properties\":{\"b\":{\"type\":[\"string\",\"null\"],"
                + "\"$ref\":\"#/$defs/B\"}},\"$defs\":{\"B\":{\"enum\":[1,2.5,true,null]}}}", t.offered().get(0).inputSchema());
    }

    @Test
    void extraKeysAndALeftOutTypeAreAccepted() throws IOException {
        ClientTools t = tools("'tools':[{'function':{'name':'f','parameters':null,'description':null,'strict':false,'x':1},"
                + "'cache_control':{'type':'ephemeral'}}]");
        assertEquals(List.of(new ClientTool("f", "", ClientTool.NO_ARGUMENTS)), t.offered());
    }

    @Test
    void noToolsIsNone() throws IOException {
        assertSame(ClientTools.NONE, tools("'tools':[]"));
        assertSame(ClientTools.NONE, tools("'tools':null,'tool_choice':null,'functions':[]"));
        assertSame(ClientTools.NONE, tools("'tools':[],'tool_choice':'auto','parallel_tool_calls':false"));
        assertSame(ClientTools.NONE, tools("'tool_choice':'none'"));
        assertSame(ClientTools.NONE, with("'stream':false").conversation().tools());
    }

    @Test
    void badToolsAreRefusedNamingTheField() {
        failsWith("'tools':{}", "tools");
        failsWith("'tools':[7]", "tools[0]");
        HttpError custom = failsWith("'tools':[" + TIME + ",{'type':'custom','custom':{'name':'c'}}]", "tools[1].type");
        assertTrue(custom.getMessage().contains("'function'"), custom.getMessage());
        failsWith("'tools':[{'type':'function'}]", "tools[0].function");
        failsWith("'tools':[{'type':'function','function':'f'}]", "tools[0].function");
        failsWith("'tools':[{'type':'function','function':{'description':'d'}}]", "tools[0].function.name");
        failsWith("'tools':[{'type':'function','function':{'name':5}}]", "tools[0].function.name");
        failsWith("'tools':[{'type':'function','function':{'name':''}}]", "tools[0].function.name");
        failsWith("'tools':[{'type':'function','function':{'name':'" + "n".repeat(129) + "'}}]", "tools[0].function.name");
        failsWith("'tools':[{'type':'function','function':{'name':'f','description':3}}]", "tools[0].function.description");
        failsWith("'tools':[{'type':'function','function':{'name':'f','parameters':[]}}]", "tools[0].function.parameters");
        failsWith("'tools':[{'type':'function','function':{'name':'f','parameters':'{}'}}]", "tools[0].function.parameters");
    }

    @Test
    void namesAreUpTo128CharactersAndUnique() throws IOException {
        String longest = "n".repeat(128);
        assertEquals(longest, tools("'tools':[{'type':'function','function':{'name':'" + longest + "'}}]").offered().get(0).name());
        HttpError e = failsWith("'tools':[" + TIME + "," + WEATHER + "," + TIME + "]", "tools[2].function.name");
        assertTrue(e.getMessage().contains("tools[0]"), e.getMessage());
    }

    /** The body is checked before the model: a bad tool is a 400 even for a model that does not exist. */
    @Test
    void aBadToolWinsOverAnUnknownModel() {
        fails("{'model':'gpt-9'," + HI + ",'tools':[{'type':'function','function':{}}]}", 400, "tools[0].function.name");
        fails("{'model':'gpt-9'," + HI + ",'tool_choice':'required'}", 400, "tool_choice");
    }

    // ---- tool_choice and parallel_tool_calls

    @Test
    void toolChoiceWords() throws IOException {
        String both = "'tools':[" + WEATHER + "," + TIME + "],";
        assertEquals(Choice.AUTO, tools(both + "'tool_choice':'auto'").choice());
        assertEquals(Choice.NONE, tools(both + "'tool_choice':'none'").choice());
        assertEquals(Choice.REQUIRED, tools(both + "'tool_choice':'required'").choice());
        assertEquals(Choice.AUTO, tools(both + "'tool_choice':null").choice());
    }

    @Test
    void aNamedToolChoiceMayComeBeforeTheTools() throws IOException {
        assertEquals(new Choice.Named("get_time"),
                tools("'tool_choice':{'type':'function','function':{'name':'get_time'}},'tools':[" + WEATHER + "," + TIME + "]").choice());
    }

    @Test
    void badToolChoicesAreRefused() {
        String both = "'tools':[" + WEATHER + "," + TIME + "],";
        failsWith(both + "'tool_choice':'any'", "tool_choice");
        failsWith(both + "'tool_choice':7", "tool_choice");
        failsWith(both + "'tool_choice':{'type':'allowed_tools','allowed_tools':{'mode':'auto','tools':[" + TIME + "]}}", "tool_choice");
        failsWith(both + "'tool_choice':{'type':'custom','custom':{'name':'get_time'}}", "tool_choice");
        failsWith(both + "'tool_choice':{'function':{'name':'get_time'}}", "tool_choice");
        failsWith(both + "'tool_choice':{'type':'function','function':{}}", "tool_choice.function.name");
        HttpError unknown = failsWith(both + "'tool_choice':{'type':'function','function':{'name':'get_news'}}", "tool_choice");
        assertTrue(unknown.getMessage().contains("get_news"), unknown.getMessage());
    }

    @Test
    void aChoiceThatDemandsACallNeedsTools() {
        failsWith("'tool_choice':'required'", "tool_choice");
        failsWith("'tools':[],'tool_choice':'required'", "tool_choice");
        failsWith("'tool_choice':{'type':'function','function':{'name':'get_time'}}", "tool_choice");
    }

    @Test
    void parallelToolCallsIsKept() throws IOException {
        assertFalse(tools("'tools':[" + TIME + "],'parallel_tool_calls':false").parallel());
        assertTrue(tools("'parallel_tool_calls':true,'tools':[" + TIME + "]").parallel());
        assertTrue(tools("'tools':[" + TIME + "]").parallel());
        failsWith("'tools':[" + TIME + "],'parallel_tool_calls':'no'", "parallel_tool_calls");
    }

    // ---- the deprecated functions and function_call

    @Test
    void legacyFunctionsAreTheSameTools() throws IOException {
        ChatRequest r = with("'functions':[{'name':'get_weather','description':'Weather now','parameters':{'type':'object',"
                + "'properties':{'city':{'type':'string'}},'required':['city']}},{'name':'get_time'}]");
        assertEquals(new ClientTools(List.of(WEATHER_TOOL, TIME_TOOL), Choice.AUTO, true), r.conversation().tools());
        assertTrue(r.legacyFunctions());
        assertFalse(with("'functions':[],'tools':[" + TIME + "]").legacyFunctions());
        assertFalse(with("'functions':[]").legacyFunctions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"'none'", "'auto'", "{'name':'get_time'}"})
    void legacyFunctionCallChoice(String value) throws IOException {
        Choice expected = switch (value) {
            case "'none'" -> Choice.NONE;
            case "'auto'" -> Choice.AUTO;
            default -> new Choice.Named("get_time");
        };
        assertEquals(expected, tools("'function_call':" + value + ",'functions':[{'name':'get_time'},{'name':'other'}]").choice());
    }

    @Test
    void toolChoiceWinsOverFunctionCall() throws IOException {
        String functions = "'functions':[{'name':'get_time'},{'name':'other'}]";
        assertEquals(Choice.NONE, tools(functions + ",'tool_choice':'none','function_call':{'name':'other'}").choice());
        assertEquals(Choice.NONE, tools(functions + ",'function_call':{'name':'other'},'tool_choice':'none'").choice());
    }

    @Test
    void badLegacyFunctionsAreRefused() {
        failsWith("'functions':{}", "functions");
        failsWith("'functions':[{'description':'d'}]", "functions[0].name");
        failsWith("'functions':[{'name':'f','parameters':true}]", "functions[0].parameters");
        failsWith("'functions':[{'name':'f'},{'name':'f'}]", "functions[1].name");
        failsWith("'functions':[{'name':'f'}],'function_call':'required'", "function_call");
        failsWith("'functions':[{'name':'f'}],'function_call':{'name':'g'}", "function_call");
        failsWith("'functions':[{'name':'f'}],'function_call':{}", "function_call");
        failsWith("'function_call':{'name':'f'}", "function_call");
        failsWith("'functions':[{'name':'f'}],'tools':[" + TIME + "]", "functions");
    }

    // ---- messages: tool calls and results in the history

    @Test
    void assistantToolCallsWithEmptyOrNullContent() throws IOException {
        for (String content : List.of("''", "null")) {
            List<Turn> turns = turns("{'role':'user','content':'a'},{'role':'assistant','content':" + content + ",'tool_calls':["
                    + "{'id':'call_1','type':'function','function':{'name':'f','arguments':'{}'}}]},"
                    + "{'role':'tool','tool_call_id':'call_1','content':[{'type':'text','text':'done'}]}");
            assertEquals(List.of(Turn.user("a"), new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "f", "{}"))),
                    new Turn(Turn.Role.USER, List.of(new Part.ToolResult("call_1", List.of(new Part.Text("done")), false)))), turns,
                    "content " + content);
        }
    }

    @Test
    void legacyFunctionCallsAndResultsGetIds() throws IOException {
        List<Turn> turns = turns("{'role':'user','content':'weather?'},"
                + "{'role':'assistant','content':null,'function_call':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
                + "{'role':'function','name':'get_weather','content':'sunny'},"
                + "{'role':'assistant','content':'and the time','function_call':{'name':'get_time','arguments':''}},"
                + "{'role':'function','name':'get_time','content':null},"
                + "{'role':'user','content':'thanks'}");
        assertEquals(List.of(
                Turn.user("weather?"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_legacy_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Turn(Turn.Role.USER, List.of(new Part.ToolResult("call_legacy_1", List.of(new Part.Text("sunny")), false))),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.Text("and the time"), new Part.ToolCall("call_legacy_2", "get_time", "{}"))),
                new Turn(Turn.Role.USER, List.of(new Part.ToolResult("call_legacy_2", List.of(), false), new Part.Text("thanks")))),
                turns);
    }

    /** A function message answers the latest open call of its name, and may end the conversation. */
    @Test
    void aFunctionMessageAnswersTheLatestOpenCallOfItsName() throws IOException {
        List<Turn> turns = turns("{'role':'user','content':'go'},"
                + "{'role':'assistant','function_call':{'name':'a','arguments':'{}'}},"
                + "{'role':'assistant','function_call':{'name':'b','arguments':'{}'}},"
                + "{'role':'assistant','function_call':{'name':'a','arguments':'{}'}},"
                + "{'role':'function','name':'a','content':'a2'},{'role':'function','content':'b1'},"
                + "{'role':'function','name':'a','content':'a1'}");
        assertEquals(new Turn(Turn.Role.USER, List.of(
                new Part.ToolResult("call_legacy_3", List.of(new Part.Text("a2")), false),
                new Part.ToolResult("call_legacy_2", List.of(new Part.Text("b1")), false),
                new Part.ToolResult("call_legacy_1", List.of(new Part.Text("a1")), false))), turns.get(2));
    }

    @Test
    void aFunctionMessageWithNoOpenCallIsRefused() {
        HttpError e = fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},"
                + "{'role':'function','name':'f','content':'x'}]}", 400, "messages[1]");
        assertTrue(e.getMessage().contains("function_call"), e.getMessage());
        fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},"
                + "{'role':'assistant','function_call':{'name':'f','arguments':'{}'}},"
                + "{'role':'function','name':'f','content':'x'},{'role':'function','name':'f','content':'again'}]}", 400, "messages[3]");
        fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},"
                + "{'role':'assistant','function_call':{'name':'f','arguments':'{}'}},"
                + "{'role':'function','name':'g','content':'x'}]}", 400, "messages[2]");
    }

    @Test
    void badLegacyFunctionCallsAreRefused() {
        String before = "{'model':'sonnet','messages':[{'role':'user','content':'a'},{'role':'assistant','function_call':";
        String after = "},{'role':'user','content':'b'}]}";
        fails(before + "'f'" + after, 400, "messages[1].function_call");
        fails(before + "{'arguments':'{}'}" + after, 400, "messages[1].function_call.name");
        fails(before + "{'name':'f','arguments':'[1]'}" + after, 400, "messages[1].function_call.arguments");
    }
}
