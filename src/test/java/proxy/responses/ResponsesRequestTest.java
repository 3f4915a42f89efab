package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.config.Args;
import proxy.config.Config;
import proxy.config.UsageException;
import proxy.http.HttpError;
import proxy.http.ImageUrls;
import proxy.json.Json;
import proxy.json.Node;
import proxy.openai.ModelMap;

/** Bodies are written with single quotes for readability; {@link #json} turns them into double quotes. */
class ResponsesRequestTest {

    static final ModelMap MODELS = new ModelMap(config());
    private static final String HI = "'input':'hi'";
    private static final String WEATHER = "{'type':'function','name':'get_weather','parameters':{'type':'object'}}";
    private static final String PNG = "data:image/png;base64,iVBORw0KGgo=";

    /** The defaults, and a name Codex sends that the default table lacks. */
    private static Config config() {
        try {
            String map = Config.DEFAULT_MODEL_MAP + ",gpt-5.1-codex=opus";
            return ((Args.Run) Args.parse(new String[] {"--model-map", map}, Map.of())).config();
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static ResponsesRequest read(String body) throws IOException {
        return read(body, new ImageUrls(false));
    }

    private static ResponsesRequest read(String body, ImageUrls images) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(json(body))) {
            return ResponsesRequest.read(p, MODELS, images);
        }
    }

    /** A request for gpt-4o saying hi, with the given fields after the input. */
    private static ResponsesRequest with(String fields) throws IOException {
        return read("{'model':'gpt-4o'," + HI + (fields.isEmpty() ? "" : "," + fields) + "}");
    }

    /** A request for sonnet with the given input items. */
    private static ResponsesRequest input(String items) throws IOException {
        return read("{'model':'sonnet','input':[" + items + "]}");
    }

    private static List<Turn> turns(String items) throws IOException {
        return input(items).conversation().turns();
    }

    static HttpError fails(String body, int status, String param) {
        HttpError e = assertThrows(HttpError.class, () -> read(body));
        assertEquals(status, e.status(), e.getMessage());
        assertEquals(Optional.ofNullable(param), e.param(), e.getMessage());
        if (param != null && status == 400) {
            assertTrue(e.getMessage().startsWith(param + ": "), e.getMessage());
        }
        return e;
    }

    private static HttpError failsWith(String fields, String param) {
        return fails("{'model':'gpt-4o'," + HI + "," + fields + "}", 400, param);
    }

    private static HttpError failsInput(String items, String param) {
        return fails("{'model':'sonnet','input':[" + items + "]}", 400, param);
    }

    private static Turn user(Part... parts) {
        return new Turn(Turn.Role.USER, List.of(parts));
    }

    private static Turn assistant(Part... parts) {
        return new Turn(Turn.Role.ASSISTANT, List.of(parts));
    }

    private static Part.Text text(String t) {
        return new Part.Text(t);
    }

    private static String message(String role, String content) {
        return "{'role':'" + role + "','content':" + content + "}";
    }

    // ---- model and the basic shape

    @Test
    void simplestRequest() throws IOException {
        ResponsesRequest r = with("");
        assertEquals("gpt-4o", r.model());
        assertEquals(new Conversation("sonnet", Optional.empty(), List.of(Turn.user("hi")), OptionalInt.empty(), List.of(),
                false, OptionalInt.empty(), Optional.empty(), Optional.empty(), ClientTools.NONE), r.conversation());
        assertFalse(r.stream());
        assertTrue(r.store());
        assertEquals(Optional.empty(), r.previousResponseId());
        assertEquals(Map.of(), r.functions());
        assertFalse(r.reasoningSummary());
        assertEquals(Map.of(), r.echo().fields());
        assertEquals(List.of(), r.ignored());
    }

    @Test
    void unknownModelIs404AfterEvery400() {
        HttpError e = fails("{'model':'gpt-9'," + HI + "}", 404, "model");
        assertEquals(Optional.of("model_not_found"), e.code());
        fails("{'model':'gpt-9'," + HI + ",'tools':[{'type':'custom','name':'x'}]}", 400, "tools[0].type");
        fails("{'model':'gpt-9'," + HI + ",'tool_choice':'required'}", 400, "tool_choice");
        fails("{'model':'gpt-9','input':[{'role':'robot','content':'x'}]}", 400, "input[0].role");
        fails("{'model':'gpt-9'}", 400, "input");
    }

    @Test
    void requiredFieldsAndTheBodyShape() {
        assertEquals(Optional.of("missing_required_parameter"), fails("{" + HI + "}", 400, "model").code());
        fails("{'model':null," + HI + "}", 400, "model");
        fails("{'model':4," + HI + "}", 400, "model");
        assertEquals(Optional.of("missing_required_parameter"), fails("{'model':'gpt-4o'}", 400, "input").code());
        fails("{'model':'gpt-4o','input':null}", 400, "input");
        fails("{'model':'gpt-4o','input':''}", 400, "input");
        fails("{'model':'gpt-4o','input':[]}", 400, "input");
        fails("{'model':'gpt-4o','input':{}}", 400, "input");
        fails("{'model':'gpt-4o','input':['hi']}", 400, "input[0]");
        fails("[]", 400, null);
    }

    @Test
    void unknownFieldsAreSkipped() throws IOException {
        ResponsesRequest r = with("'max_tool_calls':3,'modalities':['text'],'extra':{'a':[1,{'b':2}]}");
        assertEquals(List.of(Turn.user("hi")), r.conversation().turns());
        assertEquals(List.of(), r.ignored());
    }

    @Test
    void streamStorePreviousResponseAndLimit() throws IOException {
        ResponsesRequest r = with("'stream':true,'store':false,'previous_response_id':'resp_1','max_output_tokens':1,"
                + "'metadata':{'k':'v'}");
        assertTrue(r.stream());
        assertFalse(r.store());
        assertEquals(Optional.of("resp_1"), r.previousResponseId());
        assertEquals(OptionalInt.of(1), r.conversation().maxTokens());
        assertTrue(with("'store':null").store()); // null: not given, the default
        failsWith("'max_output_tokens':0", "max_output_tokens");
        failsWith("'max_output_tokens':'16'", "max_output_tokens");
        failsWith("'stream':'yes'", "stream");
        failsWith("'store':1", "store");
        failsWith("'previous_response_id':7", "previous_response_id");
        failsWith("'metadata':'x'", "metadata");
    }

    @Test
    void whatCannotBeServedIsRefused() throws IOException {
        assertFalse(with("'background':false").stream());
        failsWith("'background':true", "background");
        assertTrue(failsWith("'conversation':'conv_1'", "conversation").getMessage().contains("previous_response_id"));
        failsWith("'conversation':{'id':'conv_1'}", "conversation");
        failsWith("'prompt':{'id':'pmpt_1','version':'2'}", "prompt");
        assertEquals(List.of(Turn.user("hi")), with("'conversation':null,'prompt':null").conversation().turns());
    }

    @Test
    void ignoredFieldsAreNamedOnceWhenSent() throws IOException {
        ResponsesRequest r = with("'include':['reasoning.encrypted_content'],'prompt_cache_key':'k','client_metadata':{'a':'b'},"
                + "'truncation':'auto','user':'u','service_tier':'auto','temperature':0.2,'top_p':1,'safety_identifier':'s',"
                + "'prompt_cache_retention':'24h','top_logprobs':2,'stream_options':{'include_obfuscation':false},'temperature':1");
        assertEquals(List.of("include", "prompt_cache_key", "client_metadata", "truncation", "user", "service_tier",
                "temperature", "top_p", "safety_identifier", "prompt_cache_retention", "top_logprobs", "stream_options"),
                r.ignored());
        assertEquals(List.of(), with("'temperature':null,'include':null,'user':null").ignored());
    }

    @Test
    void echoHoldsTheResponseFieldsAsSent() throws IOException {
        ResponsesRequest r = with("'instructions':'be brief','max_output_tokens':99,'metadata':{'k':'v'},"
                + "'parallel_tool_calls':false,'previous_response_id':'resp_1','reasoning':{'effort':'low'},'store':false,"
                + "'temperature':0.5,'text':{'format':{'type':'text'}},'tool_choice':'auto','tools':[" + WEATHER + "],"
                + "'top_p':null,'truncation':'disabled','user':'u1','stream':true,'include':[]");
        Map<String, Node> fields = r.echo().fields();
        assertEquals(Node.parse(json("'be brief'")), fields.get("instructions"));
        assertEquals(Node.parse("99"), fields.get("max_output_tokens"));
        assertEquals(Node.parse(json("{'k':'v'}")), fields.get("metadata"));
        assertEquals(Node.parse("false"), fields.get("parallel_tool_calls"));
        assertEquals(Node.parse(json("{'effort':'low'}")), fields.get("reasoning"));
        assertEquals(Node.parse("0.5"), fields.get("temperature"));
        assertEquals(Node.parse(json("[" + WEATHER + "]")), fields.get("tools"));
        assertEquals(Node.parse("null"), fields.get("top_p")); // JSON null included
        assertEquals(Node.parse(json("'u1'")), fields.get("user"));
        assertEquals(ResponseEcho.NAMES.stream().sorted().toList(), fields.keySet().stream().sorted().toList());
    }

    // ---- input: messages

    @Test
    void instructionsThenDeveloperAndSystemMessagesAreTheSystemText() throws IOException {
        ResponsesRequest r = read("{'model':'sonnet','input':[" + message("developer", "'one'") + ","
                + message("user", "'hi'") + ",{'type':'message','role':'system','content':[{'type':'input_text','text':'two'},"
                + "{'type':'input_text','text':''},{'type':'input_text','text':'three'}]}," + message("user", "'again'")
                + "],'instructions':'first'}");
        assertEquals(Optional.of("first\n\none\n\ntwo\n\nthree"), r.conversation().system());
        assertEquals(List.of(user(text("hi"), text("again"))), r.conversation().turns()); // the system message between merges them
        assertEquals(Optional.of("first"), with("'instructions':'first'").conversation().system());
        assertEquals(Optional.empty(), with("'instructions':''").conversation().system());
        failsWith("'instructions':['x']", "instructions");
    }

    @Test
    void messagesWithAndWithoutTypeAndTheirParts() throws IOException {
        assertEquals(List.of(
                Turn.user("hi"),
                assistant(text("hello"), text("no"), text("more")),
                user(text("look"), new Part.Image("image/png", "iVBORw0KGgo="))),
                turns(message("user", "'hi'") + ",{'type':'message','id':'msg_1','status':'completed','role':'assistant',"
                        + "'content':[{'type':'output_text','text':'hello','annotations':[]},{'type':'refusal','refusal':'no'}]},"
                        + message("assistant", "'more'") + ",{'type':'message','role':'user','content':["
                        + "{'type':'input_text','text':'look'},{'type':'input_image','image_url':'" + PNG + "','detail':'low'}]}"));
    }

    @Test
    void anAssistantMessageWithNoTextIsDropped() throws IOException {
        assertEquals(List.of(user(text("hi"), text("again"))),
                turns(message("user", "'hi'") + "," + message("assistant", "''") + "," + message("user", "'again'")));
    }

    @Test
    void messageFieldsAreChecked() {
        failsInput("{'content':'x'}", "input[0].type");
        failsInput("{'type':'message','content':'x'}", "input[0].role");
        failsInput("{'type':3,'role':'user','content':'x'}", "input[0].type");
        failsInput(message("robot", "'x'"), "input[0].role");
        failsInput("{'role':'user'}", "input[0].content");
        failsInput(message("user", "''"), "input[0].content");
        failsInput(message("user", "7"), "input[0].content");
        failsInput(message("user", "['x']"), "input[0].content[0]");
        failsInput(message("user", "[{'text':'x'}]"), "input[0].content[0].type");
        failsInput(message("user", "[{'type':'input_text','text':3}]"), "input[0].content[0].text");
        failsInput(message("user", "[{'type':'refusal','refusal':'no'}]"), "input[0].content[0].type");
        failsInput(message("user", "'x'") + "," + message("developer", "[{'type':'refusal','refusal':'no'}]"),
                "input[1].content[0].type");
        failsInput(message("user", "'x'") + "," + message("assistant", "[{'type':'input_image','image_url':'" + PNG + "'}]")
                + "," + message("user", "'y'"), "input[1].content[0].type");
        failsInput(message("developer", "[{'type':'input_image','image_url':'" + PNG + "'}]") + "," + message("user", "'y'"),
                "input[0].content[0].type");
    }

    @Test
    void imagesByUrlOnlyAndNoFiles() {
        HttpError e = failsInput(message("user", "[{'type':'input_image','image_url':'https://example.com/cat.png'}]"),
                "input[0].content[0].image_url");
        assertTrue(e.getMessage().contains("--fetch-images on"), e.getMessage());
        failsInput(message("user", "[{'type':'input_image','file_id':'file_1'}]"), "input[0].content[0].file_id");
        failsInput(message("user", "[{'type':'input_image','detail':'auto'}]"), "input[0].content[0].image_url");
        failsInput(message("user", "[{'type':'input_text','text':'x'},{'type':'input_file','file_id':'file_1'}]"),
                "input[0].content[1].type");
        failsInput(message("user", "[{'type':'input_audio','input_audio':{}}]"), "input[0].content[0].type");
    }

    /** Fetching waits until the request is known to be good: an unknown model costs no fetch. */
    @Test
    void imagesAreFetchedOnlyAfterTheModelIsKnown() {
        String input = "'input':[{'role':'user','content':[{'type':'input_image','image_url':'http://127.0.0.1:1/a.png'}]}]";
        ImageUrls fetching = new ImageUrls(true);
        HttpError unknown = assertThrows(HttpError.class, () -> read("{'model':'gpt-9'," + input + "}", fetching));
        assertEquals(404, unknown.status()); // not the 400 a fetch from port 1 would give
        HttpError fetched = assertThrows(HttpError.class, () -> read("{'model':'sonnet'," + input + "}", fetching));
        assertEquals(400, fetched.status());
        assertEquals(Optional.of("input[0].content[0].image_url"), fetched.param());
        assertTrue(fetched.getMessage().contains("fetching the image failed"), fetched.getMessage());
    }

    @Test
    void theLastTurnMustBeTheUsers() {
        failsInput(message("user", "'hi'") + "," + message("assistant", "'hello'"), "input");
        failsInput(message("developer", "'be brief'"), "input");
        failsInput("{'type':'reasoning','id':'rs_1','summary':[]}", "input");
        failsInput(message("user", "'hi'") + ",{'type':'function_call','call_id':'c1','name':'f','arguments':'{}'}", "input");
    }

    // ---- input: function calls and other items

    @Test
    void functionCallsAndOutputs() throws IOException {
        assertEquals(List.of(
                Turn.user("weather?"),
                assistant(text("let me see"), new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("call_2", "multi_agent_v1__close_agent", "{}"),
                        new Part.ToolCall("call_3", "now", "{}")),
                user(new Part.ToolResult("call_1", List.of(text("sunny")), false),
                        new Part.ToolResult("call_2", List.of(text("closed"), new Part.Image("image/png", "iVBORw0KGgo=")), false),
                        new Part.ToolResult("call_3", List.of(), false),
                        text("thanks"))),
                turns(message("user", "'weather?'") + "," + message("assistant", "'let me see'") + ","
                        + "{'type':'function_call','id':'fc_1','status':'completed','call_id':'call_1','name':'get_weather',"
                        + "'arguments':'{\\'city\\': \\'Paris\\'}'},"
                        + "{'type':'function_call','call_id':'call_2','namespace':'multi_agent_v1','name':'close_agent','arguments':''},"
                        + "{'type':'function_call','call_id':'call_3','name':'now'},"
                        + "{'type':'function_call_output','call_id':'call_1','output':'sunny','status':'completed'},"
                        + "{'type':'function_call_output','call_id':'call_2','output':[{'type':'input_text','text':'closed'},"
                        + "{'type':'input_image','image_url':'" + PNG + "'}]},"
                        + "{'type':'function_call_output','call_id':'call_3','output':''}," + message("user", "'thanks'")));
    }

    @Test
    void functionCallFieldsAreChecked() {
        String output = ",{'type':'function_call_output','call_id':'c1','output':'x'}";
        failsInput("{'type':'function_call','name':'f','arguments':'{}'}" + output, "input[0].call_id");
        failsInput("{'type':'function_call','call_id':'c1','arguments':'{}'}" + output, "input[0].name");
        failsInput("{'type':'function_call','call_id':'c1','name':'f','namespace':1}" + output, "input[0].namespace");
        failsInput("{'type':'function_call','call_id':'c1','name':'f','arguments':'[1]'}" + output, "input[0].arguments");
        failsInput("{'type':'function_call','call_id':'c1','name':'f','arguments':'{oops'}" + output, "input[0].arguments");
        failsInput("{'type':'function_call','call_id':'c1','name':'f','arguments':3}" + output, "input[0].arguments");
        failsInput("{'type':'function_call_output','output':'x'}", "input[0].call_id");
        failsInput("{'type':'function_call_output','call_id':'c1'}", "input[0].output");
        failsInput("{'type':'function_call_output','call_id':'c1','output':4}", "input[0].output");
        failsInput("{'type':'function_call_output','call_id':'c1','output':[{'type':'input_file','file_id':'f'}]}",
                "input[0].output[0].type");
    }

    @Test
    void reasoningItemsAreDropped() throws IOException {
        assertEquals(List.of(Turn.user("hi"), assistant(text("hello")), Turn.user("more")),
                turns(message("user", "'hi'") + ",{'type':'reasoning','id':'rs_1','summary':[{'type':'summary_text','text':'hm'}],"
                        + "'encrypted_content':'gAAA'}," + message("assistant", "'hello'") + "," + message("user", "'more'")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"item_reference", "web_search_call", "custom_tool_call", "custom_tool_call_output",
            "local_shell_call", "computer_call", "computer_call_output", "file_search_call", "mcp_call", "compaction"})
    void otherItemTypesAreRefused(String type) {
        HttpError e = failsInput("{'type':'" + type + "','id':'x_1'}," + message("user", "'hi'"), "input[0].type");
        assertTrue(e.getMessage().contains(type.equals("item_reference") ? "item references" : "'" + type + "'"), e.getMessage());
    }

    // ---- tools

    @Test
    void functionToolsAreOfferedAsGiven() throws IOException {
        ResponsesRequest r = with("'tools':[{'type':'function','name':'get_weather','description':'Weather',"
                + "'parameters':{'type':'object','properties':{'city':{'type':'string'}}},'strict':true},{'name':'now'}]");
        assertEquals(new ClientTools(List.of(
                new ClientTool("get_weather", "Weather", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
                new ClientTool("now", "", ClientTool.NO_ARGUMENTS)), Choice.AUTO, true), r.conversation().tools());
        assertEquals(Map.of("get_weather", new FunctionName(Optional.empty(), "get_weather"),
                "now", new FunctionName(Optional.empty(), "now")), r.functions());
        assertEquals(ClientTools.NONE, with("'tools':[]").conversation().tools());
    }

    @Test
    void namespaceFunctionsAreOfferedFlat() throws IOException {
        ResponsesRequest r = with("'tools':[{'type':'namespace','name':'agents','description':'Sub-agents','tools':["
                + "{'type':'function','name':'close','description':'Close one'},{'name':'spawn','parameters':{'type':'object'}}]},"
                + WEATHER + "]");
        assertEquals(List.of(new ClientTool("agents__close", "Close one", ClientTool.NO_ARGUMENTS),
                new ClientTool("agents__spawn", "", "{\"type\":\"object\"}"),
                new ClientTool("get_weather", "", "{\"type\":\"object\"}")), r.conversation().tools().offered());
        assertEquals(Map.of("agents__close", new FunctionName(Optional.of("agents"), "close"),
                "agents__spawn", new FunctionName(Optional.of("agents"), "spawn"),
                "get_weather", new FunctionName(Optional.empty(), "get_weather")), r.functions());
    }

    @Test
    void hostedToolsAreAcceptedNotOfferedAndNamed() throws IOException {
        ResponsesRequest r = with("'tools':[{'type':'web_search','external_web_access':false}," + WEATHER + ","
                + "{'type':'file_search','vector_store_ids':['vs_1']},{'type':'web_search'},{'type':'web_search_preview_2025_03_11'},"
                + "{'type':'code_interpreter','container':{'type':'auto'}},{'type':'image_generation'},{'type':'mcp','server_label':'x'},"
                + "{'type':'local_shell'},{'type':'computer_use_preview'},{'type':'tool_search'}]");
        assertEquals(List.of("get_weather"), r.conversation().tools().offered().stream().map(ClientTool::name).toList());
        assertEquals(List.of("tools[web_search]", "tools[file_search]", "tools[web_search_preview_2025_03_11]",
                "tools[code_interpreter]", "tools[image_generation]", "tools[mcp]", "tools[local_shell]",
                "tools[computer_use_preview]", "tools[tool_search]"), r.ignored());
        assertEquals(ClientTools.NONE, with("'tools':[{'type':'web_search'}]").conversation().tools());
    }

    @Test
    void toolsTheProxyCannotServeAreRefused() {
        failsWith("'tools':{}", "tools");
        failsWith("'tools':['x']", "tools[0]");
        failsWith("'tools':[" + WEATHER + ",{'type':'custom','name':'apply','format':{'type':'text'}}]", "tools[1].type");
        failsWith("'tools':[{'type':'teleport'}]", "tools[0].type");
        failsWith("'tools':[{'type':'function'}]", "tools[0].name");
        HttpError chatShaped = failsWith("'tools':[{'type':'function','function':{'name':'f'}}]", "tools[0].name");
        assertTrue(chatShaped.getMessage().contains("flat"), chatShaped.getMessage());
        failsWith("'tools':[{'type':'function','name':''}]", "tools[0].name");
        failsWith("'tools':[{'type':'function','name':'" + "x".repeat(129) + "'}]", "tools[0].name");
        failsWith("'tools':[{'type':'function','name':'f','parameters':'{}'}]", "tools[0].parameters");
        failsWith("'tools':[{'type':'function','name':'f','description':3}]", "tools[0].description");
        failsWith("'tools':[" + WEATHER + "," + WEATHER + "]", "tools[1].name");
        failsWith("'tools':[{'type':'function','name':'a__b'},{'type':'namespace','name':'a','tools':[{'name':'b'}]}]",
                "tools[1].tools[0].name");
        failsWith("'tools':[{'type':'namespace','name':'a'}]", "tools[0].tools");
        failsWith("'tools':[{'type':'namespace','name':'a','tools':{}}]", "tools[0].tools");
        failsWith("'tools':[{'type':'namespace','tools':[]}]", "tools[0].name");
        failsWith("'tools':[{'type':'namespace','name':'a','tools':[{'name':'b'},{'type':'web_search'}]}]",
                "tools[0].tools[1].type");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'auto'                                                          | AUTO",
        "'none'                                                          | NONE",
        "'required'                                                      | REQUIRED",
        "{'type':'function','name':'get_weather'}                        | get_weather",
        "{'type':'function','name':'close','namespace':'agents'}         | agents__close",
        "{'type':'function','name':'agents__close'}                      | agents__close"})
    void toolChoice(String choice, String expected) throws IOException {
        ResponsesRequest r = with("'tool_choice':" + choice + ",'tools':[" + WEATHER + ","
                + "{'type':'namespace','name':'agents','tools':[{'name':'close'}]}]");
        Choice c = switch (expected) {
            case "AUTO" -> Choice.AUTO;
            case "NONE" -> Choice.NONE;
            case "REQUIRED" -> Choice.REQUIRED;
            default -> new Choice.Named(expected);
        };
        assertEquals(c, r.conversation().tools().choice());
    }

    @Test
    void toolChoicesThatCannotBeHonouredAreRefused() throws IOException {
        String tools = ",'tools':[" + WEATHER + "]";
        failsWith("'tool_choice':{'type':'function','name':'nope'}" + tools, "tool_choice");
        failsWith("'tool_choice':{'type':'function','name':'get_weather','namespace':'ns'}" + tools, "tool_choice");
        failsWith("'tool_choice':{'type':'function'}" + tools, "tool_choice.name");
        failsWith("'tool_choice':{'type':'allowed_tools','mode':'auto','tools':[" + WEATHER + "]}" + tools, "tool_choice");
        failsWith("'tool_choice':{'type':'web_search'}" + tools, "tool_choice");
        failsWith("'tool_choice':{'type':'custom','name':'x'}" + tools, "tool_choice");
        failsWith("'tool_choice':'always'" + tools, "tool_choice");
        failsWith("'tool_choice':'required'", "tool_choice");
        failsWith("'tool_choice':'required','tools':[{'type':'web_search'}]", "tool_choice");
        assertEquals(ClientTools.NONE, with("'tool_choice':'none'").conversation().tools());
    }

    @Test
    void parallelToolCalls() throws IOException {
        assertFalse(with("'parallel_tool_calls':false,'tools':[" + WEATHER + "]").conversation().tools().parallel());
        assertTrue(with("'parallel_tool_calls':true,'tools':[" + WEATHER + "]").conversation().tools().parallel());
        failsWith("'parallel_tool_calls':'no'", "parallel_tool_calls");
    }

    // ---- text.format and reasoning

    @Test
    void textFormat() throws IOException {
        assertEquals(Optional.empty(), with("'text':{'format':{'type':'text'}}").conversation().jsonSchema());
        assertEquals(Optional.empty(), with("'text':{}").conversation().jsonSchema());
        assertEquals(Optional.of("{\"type\":\"object\"}"), with("'text':{'format':{'type':'json_object'}}").conversation().jsonSchema());
        assertEquals(Optional.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"),
                with("'text':{'format':{'type':'json_schema','name':'thing','strict':true,"
                        + "'schema':{'type':'object','properties':{'a':{'type':'string'}}}}}").conversation().jsonSchema());
        ResponsesRequest verbose = with("'text':{'format':{'type':'text'},'verbosity':'low'}");
        assertEquals(List.of("text.verbosity"), verbose.ignored());
        failsWith("'text':'json'", "text");
        failsWith("'text':{'format':'json'}", "text.format");
        failsWith("'text':{'format':{'type':'json_schema','name':'thing'}}", "text.format.schema");
        failsWith("'text':{'format':{'type':'json_schema','json_schema':{'name':'t','schema':{'type':'object'}}}}",
                "text.format.schema"); // the Chat Completions shape
        failsWith("'text':{'format':{'type':'grammar'}}", "text.format.type");
        failsWith("'text':{'format':{}}", "text.format.type");
    }

    @ParameterizedTest
    @CsvSource({"none,", "minimal,low", "low,low", "medium,medium", "high,high", "xhigh,max"})
    void reasoningEffort(String effort, String expected) throws IOException {
        ResponsesRequest r = with("'reasoning':{'effort':'" + effort + "'}");
        assertEquals(Optional.ofNullable(expected), r.conversation().effort());
        assertEquals(expected != null, r.conversation().thinking());
        assertFalse(r.reasoningSummary());
    }

    @ParameterizedTest
    @ValueSource(strings = {"'summary':'auto'", "'summary':'concise'", "'summary':'detailed'", "'generate_summary':'auto'",
            "'effort':'high','summary':'detailed'"})
    void reasoningSummaryShowsReasoning(String fields) throws IOException {
        ResponsesRequest r = with("'reasoning':{" + fields + "}");
        assertTrue(r.reasoningSummary());
        assertTrue(r.conversation().thinking());
    }

    @Test
    void reasoningEffortNoneWinsAndBadValuesAreRefused() throws IOException {
        ResponsesRequest off = with("'reasoning':{'effort':'none','summary':'auto'}");
        assertFalse(off.reasoningSummary());
        assertFalse(off.conversation().thinking());
        assertFalse(with("'reasoning':{'effort':null,'summary':null}").conversation().thinking());
        failsWith("'reasoning':{'effort':'extreme'}", "reasoning.effort");
        failsWith("'reasoning':{'effort':3}", "reasoning.effort");
        failsWith("'reasoning':{'summary':'verbose'}", "reasoning.summary");
        failsWith("'reasoning':{'generate_summary':'yes'}", "reasoning.generate_summary");
        failsWith("'reasoning':'high'", "reasoning");
    }
}
