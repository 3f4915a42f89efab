package proxy.openai;

import proxy.http.ImageUrls;
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
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.config.Args;
import proxy.config.Config;
import proxy.config.UsageException;
import proxy.http.HttpError;
import proxy.json.Json;

/** Bodies are written with single quotes for readability; {@link #json} turns them into double quotes. */
class ChatRequestTest {

    static final Config CONFIG = defaults();
    static final ModelMap MODELS = new ModelMap(CONFIG);
    private static final String HI = "'messages':[{'role':'user','content':'hi'}]";

    private static Config defaults() {
        try {
            return ((Args.Run) Args.parse(new String[0], Map.of())).config();
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static ChatRequest read(String body) throws IOException {
        return read(body, new ImageUrls(false));
    }

    private static ChatRequest read(String body, ImageUrls images) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(json(body))) {
            return ChatRequest.read(p, MODELS, images, CONFIG.maxN());
        }
    }

    /** A request for gpt-4o with the given fields after the messages. */
    private static ChatRequest with(String fields) throws IOException {
        return read("{'model':'gpt-4o'," + HI + (fields.isEmpty() ? "" : "," + fields) + "}");
    }

    static HttpError fails(String body, int status, String param) {
        HttpError e = assertThrows(HttpError.class, () -> read(body));
        assertEquals(status, e.status(), e.getMessage());
        assertEquals(Optional.ofNullable(param), e.param(), e.getMessage());
        if (param != null && status == 400) { // a 404 speaks OpenAI's own words
            assertTrue(e.getMessage().startsWith(param + ": "), e.getMessage());
        }
        return e;
    }

    private static HttpError failsWith(String fields, String param) {
        return fails("{'model':'gpt-4o'," + HI + "," + fields + "}", 400, param);
    }

    private static List<Turn> turns(String messages) throws IOException {
        return read("{'model':'sonnet','messages':[" + messages + "]}").conversation().turns();
    }

    private static Turn user(Part... parts) {
        return new Turn(Turn.Role.USER, List.of(parts));
    }

    private static Part.Text text(String t) {
        return new Part.Text(t);
    }

    // ---- model and the basic shape

    @Test
    void simplestRequest() throws IOException {
        ChatRequest r = with("");
        assertEquals("gpt-4o", r.model());
        Conversation c = r.conversation();
        assertEquals(new Conversation("sonnet", Optional.empty(), List.of(Turn.user("hi")), OptionalInt.empty(), List.of(),
                false, OptionalInt.empty(), Optional.empty(), Optional.empty()), c);
        assertFalse(r.stream());
        assertFalse(r.includeUsage());
        assertEquals(1, r.n());
        assertEquals(List.of(), r.ignored());
    }

    @Test
    void claudeModelsPassThrough() throws IOException {
        assertEquals("claude-opus-5-5", read("{'model':'claude-opus-5-5'," + HI + "}").conversation().model());
        assertEquals("haiku", read("{'model':'haiku'," + HI + "}").conversation().model());
    }

    @Test
    void unknownModelIs404ModelNotFound() {
        HttpError e = fails("{'model':'gpt-9'," + HI + "}", 404, "model");
        assertEquals("The model 'gpt-9' does not exist or you do not have access to it.", e.getMessage());
        assertEquals(Optional.of("model_not_found"), e.code());
    }

    @Test
    void aBadBodyWinsOverAnUnknownModel() {
        fails("{'model':'gpt-9'," + HI + ",'n':'two'}", 400, "n");
        fails("{'model':'gpt-9','messages':[{'role':'robot','content':'x'}]}", 400, "messages[0].role");
        fails("{'model':'gpt-9'}", 400, "messages");
    }

    @Test
    void requiredFieldsAndTheBodyShape() {
        assertEquals(Optional.of("missing_required_parameter"), fails("{" + HI + "}", 400, "model").code());
        fails("{'model':null," + HI + "}", 400, "model");
        fails("{'model':4," + HI + "}", 400, "model");
        fails("{'model':'gpt-4o'}", 400, "messages");
        fails("{'model':'gpt-4o','messages':[]}", 400, "messages");
        fails("{'model':'gpt-4o','messages':{}}", 400, "messages");
        fails("{'model':'gpt-4o','messages':['hi']}", 400, "messages[0]");
        fails("[]", 400, null);
    }

    @Test
    void unknownFieldsAreSkipped() throws IOException {
        ChatRequest r = with("'metadata':{'a':[1,{'b':2}]},'store':true,'service_tier':'auto','prediction':{'type':'content'},"
                + "'top_logprobs':3,'web_search_options':{},'modalities':['text'],'logprobs':false");
        assertEquals(List.of(Turn.user("hi")), r.conversation().turns());
    }

    @Test
    void samplingAndTrackingParametersAreListedInTheOrderSeen() throws IOException {
        ChatRequest r = with("'user':'u1','seed':4,'temperature':0.2,'top_p':null,'logit_bias':{'50256':-100},"
                + "'presence_penalty':0,'frequency_penalty':0.5,'temperature':1");
        assertEquals(List.of("user", "seed", "temperature", "logit_bias", "presence_penalty", "frequency_penalty"), r.ignored());
    }

    // ---- messages

    @Test
    void systemAndDeveloperTextIsJoinedInOrder() throws IOException {
        Conversation c = read("{'model':'sonnet','messages':[{'role':'system','content':'one'},"
                + "{'role':'user','content':'hi'},{'role':'developer','content':[{'type':'text','text':'two'},"
                + "{'type':'text','text':'three'}]},{'role':'user','content':'again'}]}").conversation();
        assertEquals(Optional.of("one\ntwo\nthree"), c.system());
        assertEquals(List.of(user(text("hi"), text("again"))), c.turns()); // the system message between merges them
    }

    @Test
    void systemOnlyIsRefused() {
        fails("{'model':'sonnet','messages':[{'role':'system','content':'be brief'}]}", 400, "messages");
        fails("{'model':'sonnet','messages':[{'role':'system','content':[{'type':'image_url','image_url':{'url':'x'}}]},"
                + "{'role':'user','content':'hi'}]}", 400, "messages[0].content[0].type");
    }

    @Test
    void userPartsBecomeTextAndImages() throws IOException {
        assertEquals(List.of(user(text("what is this?"), new Part.Image("image/png", "iVBORw0KGgo="))),
                turns("{'role':'user','content':[{'type':'text','text':'what is this?'},"
                        + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo=','detail':'low'}}]}"));
    }

    @Test
    void userPartsTheCliCannotTakeAreRefused() {
        HttpError e = fails("{'model':'sonnet','messages':[{'role':'user','content':[{'type':'input_audio',"
                + "'input_audio':{'data':'AAAA','format':'wav'}}]}]}", 400, "messages[0].content[0].type");
        assertTrue(e.getMessage().contains("'input_audio'"), e.getMessage());
        fails("{'model':'sonnet','messages':[{'role':'user','content':[{'type':'text','text':'x'},"
                + "{'type':'file','file':{'file_id':'f'}}]}]}", 400, "messages[0].content[1].type");
        fails("{'model':'sonnet','messages':[{'role':'user','content':[{'text':'x'}]}]}", 400, "messages[0].content[0].type");
        fails("{'model':'sonnet','messages':[{'role':'user','content':[{'type':'text','text':3}]}]}", 400, "messages[0].content[0].text");
        fails("{'model':'sonnet','messages':[{'role':'user','content':''}]}", 400, "messages[0].content");
        fails("{'model':'sonnet','messages':[{'role':'user'}]}", 400, "messages[0].content");
        fails("{'model':'sonnet','messages':[{'role':'user','content':7}]}", 400, "messages[0].content");
    }

    @Test
    void remoteImageIsRefusedWhenFetchingIsOff() {
        HttpError e = fails("{'model':'sonnet','messages':[{'role':'user','content':[{'type':'text','text':'x'},"
                + "{'type':'image_url','image_url':{'url':'https://example.com/cat.png'}}]}]}", 400,
                "messages[0].content[1].image_url.url");
        assertTrue(e.getMessage().contains("--fetch-images on"), e.getMessage());
        fails("{'model':'sonnet','messages':[{'role':'user','content':[{'type':'image_url','image_url':{}}]}]}", 400,
                "messages[0].content[0].image_url.url");
    }

    /** Fetching waits until the request is known to be good: an unknown model costs no fetch. */
    @Test
    void imagesAreFetchedOnlyAfterTheModelIsKnown() {
        String message = "'messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'http://127.0.0.1:1/a.png'}}]}]";
        ImageUrls fetching = new ImageUrls(true);
        HttpError unknown = assertThrows(HttpError.class, () -> read("{'model':'gpt-9'," + message + "}", fetching));
        assertEquals(404, unknown.status()); // not the 400 a fetch from port 1 would give
        HttpError fetched = assertThrows(HttpError.class, () -> read("{'model':'sonnet'," + message + "}", fetching));
        assertEquals(400, fetched.status());
        assertTrue(fetched.getMessage().contains("fetching the image failed"), fetched.getMessage());
    }

    @Test
    void toolCallHistoryAndToolResults() throws IOException {
        List<Turn> turns = turns("{'role':'user','content':'weather?'},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function',"
                + "'function':{'name':'get_weather','arguments':'{\\'city\\': \\'Paris\\'}'}},"
                + "{'id':'call_2','type':'function','function':{'name':'now','arguments':''}}]},"
                + "{'role':'tool','tool_call_id':'call_1','content':'sunny'},"
                + "{'role':'tool','tool_call_id':'call_2','content':[{'type':'text','text':'noon'},{'type':'text','text':'UTC'}]},"
                + "{'role':'user','content':'thanks'}");
        assertEquals(List.of(
                Turn.user("weather?"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("call_2", "now", "{}"))),
                user(new Part.ToolResult("call_1", List.of(text("sunny")), false),
                        new Part.ToolResult("call_2", List.of(text("noon\nUTC")), false),
                        text("thanks"))), turns);
    }

    @Test
    void aToolResultMayEndTheConversation() throws IOException {
        List<Turn> turns = turns("{'role':'user','content':'go'},{'role':'assistant','content':'calling',"
                + "'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]},"
                + "{'role':'tool','tool_call_id':'c','content':''}");
        assertEquals(new Turn(Turn.Role.ASSISTANT, List.of(text("calling"), new Part.ToolCall("c", "f", "{}"))), turns.get(1));
        assertEquals(user(new Part.ToolResult("c", List.of(), false)), turns.get(2));
    }

    @Test
    void badToolCallsAreRefused() {
        String before = "{'model':'sonnet','messages':[{'role':'user','content':'a'},{'role':'assistant','tool_calls':[";
        String after = "]},{'role':'user','content':'b'}]}";
        String at = "messages[1].tool_calls[0]";
        fails(before + "{'id':'c','type':'function','function':{'name':'f','arguments':'[1]'}}" + after, 400, at + ".function.arguments");
        fails(before + "{'id':'c','type':'function','function':{'name':'f','arguments':'{oops'}}" + after, 400, at + ".function.arguments");
        fails(before + "{'id':'c','type':'function','function':{'name':'f','arguments':5}}" + after, 400, at + ".function.arguments");
        fails(before + "{'type':'function','function':{'name':'f','arguments':'{}'}}" + after, 400, at + ".id");
        fails(before + "{'id':'c','type':'function','function':{'arguments':'{}'}}" + after, 400, at + ".function.name");
        fails(before + "{'id':'c','type':'function'}" + after, 400, at + ".function");
        fails(before + "{'id':'c','type':'custom','custom':{}}" + after, 400, at + ".type");
        fails(before + "7" + after, 400, at);
    }

    @Test
    void assistantMessages() throws IOException {
        assertEquals(new Turn(Turn.Role.ASSISTANT, List.of(text("no"), text("sorry"))),
                turns("{'role':'user','content':'a'},{'role':'assistant','content':[{'type':'text','text':'no'},"
                        + "{'type':'refusal','refusal':'sorry'}]},{'role':'user','content':'b'}").get(1));
        assertEquals(Turn.assistant("I cannot"),
                turns("{'role':'user','content':'a'},{'role':'assistant','content':null,'refusal':'I cannot'},"
                        + "{'role':'user','content':'b'}").get(1));
        assertEquals(Turn.assistant("Hello! How can I help?"), // a greeting may open the conversation
                turns("{'role':'assistant','content':'Hello! How can I help?'},{'role':'user','content':'b'}").get(0));
        fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},{'role':'assistant','content':null},"
                + "{'role':'user','content':'b'}]}", 400, "messages[1].content");
        fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},{'role':'assistant','content':''},"
                + "{'role':'user','content':'b'}]}", 400, "messages[1].content");
    }

    @Test
    void theLastMessageMustBeTheUsers() {
        HttpError e = fails("{'model':'sonnet','messages':[{'role':'user','content':'a'},{'role':'assistant','content':'b'}]}",
                400, "messages");
        assertEquals("messages: the last message must be from the user (or a tool result); "
                + "continuing an assistant message is not supported", e.getMessage());
    }

    @Test
    void consecutiveMessagesOfOneRoleAreOneTurn() throws IOException {
        assertEquals(List.of(user(text("a"), text("b")), new Turn(Turn.Role.ASSISTANT, List.of(text("c"), text("d"))),
                Turn.user("e")), turns("{'role':'user','content':'a'},{'role':'user','content':'b'},"
                + "{'role':'assistant','content':'c'},{'role':'assistant','content':'d'},{'role':'user','content':'e'}"));
    }

    @Test
    void rolesTheProxyCannotTakeAreRefused() {
        HttpError e = fails("{'model':'sonnet','messages':[{'role':'user','content':'hi'},{'role':'robot','content':'x'}]}",
                400, "messages[1].role");
        assertTrue(e.getMessage().contains("'tool' or 'function'"), e.getMessage());
        fails("{'model':'sonnet','messages':[{'content':'x'}]}", 400, "messages[0].role");
        fails("{'model':'sonnet','messages':[{'role':'tool','content':'x'}]}", 400, "messages[0].tool_call_id");
    }

    // ---- options

    @Test
    void maxCompletionTokensWinsOverMaxTokens() throws IOException {
        assertEquals(OptionalInt.of(50), with("'max_tokens':100,'max_completion_tokens':50").conversation().maxTokens());
        assertEquals(OptionalInt.of(50), with("'max_completion_tokens':50,'max_tokens':100").conversation().maxTokens());
        assertEquals(OptionalInt.of(100), with("'max_tokens':100,'max_completion_tokens':null").conversation().maxTokens());
        failsWith("'max_tokens':0", "max_tokens");
        failsWith("'max_completion_tokens':'5'", "max_completion_tokens");
        failsWith("'max_tokens':1.5", "max_tokens");
    }

    @Test
    void stopIsAStringOrUpToFourStrings() throws IOException {
        assertEquals(List.of("END"), with("'stop':'END'").conversation().stopSequences());
        assertEquals(List.of("a", "b"), with("'stop':['a','','b']").conversation().stopSequences());
        assertEquals(List.of(), with("'stop':null").conversation().stopSequences());
        assertEquals(List.of(), with("'stop':''").conversation().stopSequences());
        assertEquals(List.of("1", "2", "3", "4"), with("'stop':['1','2','3','4']").conversation().stopSequences());
        failsWith("'stop':['1','2','3','4','5']", "stop");
        failsWith("'stop':[1]", "stop[0]");
        failsWith("'stop':{}", "stop");
    }

    @Test
    void nIsCappedByConfig() throws IOException {
        assertEquals(2, with("'n':2").n());
        assertEquals(CONFIG.maxN(), with("'n':" + CONFIG.maxN()).n());
        HttpError e = failsWith("'n':" + (CONFIG.maxN() + 1), "n");
        assertEquals("n: at most " + CONFIG.maxN() + " choices are supported", e.getMessage());
        failsWith("'n':0", "n");
    }

    @Test
    void streamAndUsage() throws IOException {
        ChatRequest r = with("'stream':true,'stream_options':{'include_usage':true,'include_obfuscation':false}");
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        assertFalse(with("'stream':true,'stream_options':{'include_usage':false}").includeUsage());
        assertFalse(with("'stream':false,'stream_options':{'include_usage':true}").includeUsage()); // only when streaming
        assertFalse(with("'stream':null").stream());
        failsWith("'stream':'yes'", "stream");
        failsWith("'stream_options':{'include_usage':1}", "stream_options.include_usage");
        failsWith("'stream_options':true", "stream_options");
    }

    @Test
    void responseFormatBecomesASchema() throws IOException {
        assertEquals(Optional.empty(), with("'response_format':{'type':'text'}").conversation().jsonSchema());
        assertEquals(Optional.of("{\"type\":\"object\"}"), with("'response_format':{'type':'json_object'}").conversation().jsonSchema());
        assertEquals(Optional.of("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}"),
                with("'response_format':{'type':'json_schema','json_schema':{'name':'count','strict':true,'schema':"
                        + "{'type':'object', 'properties':{'n':{'type':'integer'}}, 'required':['n']}}}").conversation().jsonSchema());
        failsWith("'response_format':{'type':'json_schema','json_schema':{'name':'count'}}", "response_format.json_schema.schema");
        failsWith("'response_format':{'type':'yaml'}", "response_format.type");
        failsWith("'response_format':{}", "response_format.type");
        failsWith("'response_format':'json'", "response_format");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"none, false, -", "minimal, true, low", "low, true, low", "medium, true, medium",
            "high, true, high", "xhigh, true, max"})
    void reasoningEffortSetsTheCliEffortAndShowsReasoning(String value, boolean thinking, String effort) throws IOException {
        Conversation c = with("'reasoning_effort':'" + value + "'").conversation();
        assertEquals(thinking, c.thinking());
        assertEquals(Optional.ofNullable(effort), c.effort());
    }

    @Test
    void unknownReasoningEffortIsRefused() {
        failsWith("'reasoning_effort':'max'", "reasoning_effort");
        failsWith("'reasoning_effort':3", "reasoning_effort");
    }

    @Test
    void logprobsAreRefused() throws IOException {
        HttpError e = failsWith("'logprobs':true", "logprobs");
        assertEquals("logprobs: not supported by claude-proxy", e.getMessage());
        assertEquals(1, with("'logprobs':null,'top_logprobs':2").n());
        failsWith("'logprobs':'yes'", "logprobs");
    }
}
