package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import proxy.chat.ClientTool;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.ReplyEvent.Started;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.ReplyEvent.ToolInputDelta;
import proxy.chat.StopReason;
import proxy.chat.Usage;

/**
 * The reader with client tools (served as {@code mcp__proxy__X}, cli-protocol.md §12): a
 * message that stops for them ends the reply held, the CLI's own calls stay hidden, and the
 * reader after the results picks the turn up where the CLI goes on. The lines are shaped like
 * the captures' ({@code 13-tool-bash-allowed-partial}): each block's {@code assistant} line
 * comes between its last delta and its {@code content_block_stop}.
 */
class ClientToolsReaderTest {

    private static final String MODEL = "claude-opus-5-5";
    private static final List<ClientTool> TOOLS = List.of(
            new ClientTool("Bash", "Runs a command on the client", "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}"),
            new ClientTool("get_weather", "", ClientTool.NO_ARGUMENTS));

    // ---- lines as the CLI prints them (' stands for ")

    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private static String init(String mcpServers) {
        return q("{'type':'system','subtype':'init','cwd':'/tmp/w','session_id':'s1','tools':['Bash','Read','mcp__proxy__Bash'],"
                + "'mcp_servers':" + mcpServers + ",'model':'" + MODEL + "','permissionMode':'default','uuid':'u0'}");
    }

    private static String status() {
        return q("{'type':'system','subtype':'status','status':'requesting','session_id':'s1','uuid':'u1'}");
    }

    private static String event(String messageId, String event) {
        return q("{'type':'stream_event','event':" + event + ",'session_id':'s1','parent_tool_use_id':null,'uuid':'u2',"
                + "'api_message_id':'" + messageId + "'}");
    }

    private static String messageStart(String id, long inputTokens, long cacheRead) {
        return event(id, "{'type':'message_start','message':{'id':'" + id + "','type':'message','role':'assistant','model':'"
                + MODEL + "','content':[],'stop_reason':null,'stop_sequence':null,'usage':{'input_tokens':" + inputTokens
                + ",'cache_creation_input_tokens':0,'cache_read_input_tokens':" + cacheRead + ",'output_tokens':1}}}");
    }

    private static String textStart(String id, int index) {
        return event(id, "{'type':'content_block_start','index':" + index + ",'content_block':{'type':'text','text':''}}");
    }

    private static String toolStart(String id, int index, String toolId, String name) {
        return event(id, "{'type':'content_block_start','index':" + index + ",'content_block':{'type':'tool_use','id':'"
                + toolId + "','name':'" + name + "','input':{}}}");
    }

    private static String textDelta(String id, int index, String text) {
        return event(id, "{'type':'content_block_delta','index':" + index + ",'delta':{'type':'text_delta','text':'" + text + "'}}");
    }

    /** {@code json} is the JSON fragment as written in the JSON string, quotes escaped as \'. */
    private static String inputDelta(String id, int index, String json) {
        return event(id, "{'type':'content_block_delta','index':" + index
                + ",'delta':{'type':'input_json_delta','partial_json':'" + json + "'}}");
    }

    private static String blockStop(String id, int index) {
        return event(id, "{'type':'content_block_stop','index':" + index + "}");
    }

    private static String messageDelta(String id, String stopReason, long outputTokens) {
        return event(id, "{'type':'message_delta','delta':{'stop_reason':'" + stopReason + "','stop_sequence':null},"
                + "'usage':{'output_tokens':" + outputTokens + "}}");
    }

    private static String messageStop(String id) {
        return event(id, "{'type':'message_stop'}");
    }

    /** An {@code assistant} line; {@code content} is its blocks' JSON array. */
    private static String assistant(String id, String content, String stopReason, long inputTokens, long outputTokens) {
        return q("{'type':'assistant','message':{'id':'" + id + "','type':'message','role':'assistant','model':'" + MODEL
                + "','content':" + content + ",'stop_reason':" + (stopReason == null ? "null" : "'" + stopReason + "'")
                + ",'stop_sequence':null,'usage':{'input_tokens':" + inputTokens
                + ",'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':" + outputTokens
                + "},'context_management':null},'parent_tool_use_id':null,'session_id':'s1','uuid':'u3','request_id':'req_1'}");
    }

    private static String toolResults(String... toolIds) {
        List<String> blocks = new ArrayList<>();
        for (String t : toolIds) {
            blocks.add("{'tool_use_id':'" + t + "','type':'tool_result','content':'done','is_error':false}");
        }
        return q("{'type':'user','message':{'role':'user','content':[" + String.join(",", blocks)
                + "]},'parent_tool_use_id':null,'session_id':'s1','uuid':'u4'}");
    }

    private static String result(String stopReason, long inputTokens, long outputTokens) {
        return q("{'type':'result','subtype':'success','is_error':false,'stop_reason':'" + stopReason + "','num_turns':2,"
                + "'result':'It is sunny.','usage':{'input_tokens':" + inputTokens + ",'cache_creation_input_tokens':0,"
                + "'cache_read_input_tokens':0,'output_tokens':" + outputTokens + "},'session_id':'s1','uuid':'u5'}");
    }

    private static CliEventReader reader(Set<String> streamedMessages) {
        return new CliEventReader(false, ToolNames.of(TOOLS), true, streamedMessages);
    }

    private static List<ReplyEvent> read(CliEventReader reader, String... lines) throws CliOutputException {
        List<ReplyEvent> events = new ArrayList<>();
        for (String line : lines) {
            events.addAll(reader.read(line));
        }
        return events;
    }

    /** A message with text, a client Bash call and the CLI's own Read call, up to its stop. */
    private static final String HELD = "msg_held";
    private static final String[] HELD_MESSAGE = {
        init("[{'name':'proxy','status':'connected'}]"),
        status(),
        messageStart(HELD, 100, 7),
        textStart(HELD, 0),
        textDelta(HELD, 0, "Let me"),
        textDelta(HELD, 0, " look."),
        assistant(HELD, "[{'type':'text','text':'Let me look.'}]", null, 100, 1),
        blockStop(HELD, 0),
        toolStart(HELD, 1, "toolu_1", "mcp__proxy__Bash"),
        inputDelta(HELD, 1, "{\\'command\\': \\'l"),
        inputDelta(HELD, 1, "s -la\\'}"),
        assistant(HELD, "[{'type':'tool_use','id':'toolu_1','name':'mcp__proxy__Bash','input':{'command':'ls -la'}}]", null, 100, 1),
        blockStop(HELD, 1),
        toolStart(HELD, 2, "toolu_2", "Read"),
        inputDelta(HELD, 2, "{\\'file_path\\': \\'/etc/hosts\\'}"),
        assistant(HELD, "[{'type':'tool_use','id':'toolu_2','name':'Read','input':{'file_path':'/etc/hosts'}}]", null, 100, 1),
        blockStop(HELD, 2),
        messageDelta(HELD, "tool_use", 42),
    };

    @Test
    void aConnectedToolServerIsNoEvent() throws CliOutputException {
        CliEventReader reader = reader(new HashSet<>());
        assertEquals(List.of(), reader.read(init("[{'name':'proxy','status':'connected'}]")));
        assertFalse(reader.finished());
    }

    @Test
    void aToolServerTheCliDidNotReachFailsTheRequest() throws CliOutputException {
        for (String servers : List.of("[{'name':'proxy','status':'failed'}]", "[]",
                "[{'name':'other','status':'connected'}]", "[{'name':'proxy','status':'pending'}]")) {
            CliEventReader reader = reader(new HashSet<>());
            List<ReplyEvent> events = reader.read(init(servers));
            assertEquals(1, events.size(), servers + ": " + events);
            Failed failed = assertInstanceOf(Failed.class, events.get(0));
            assertEquals(ErrorKind.BAD_GATEWAY, failed.kind(), servers);
            assertTrue(reader.finished(), servers);
            assertFalse(reader.held(), servers);
            // nothing the CLI goes on to print becomes part of the reply
            assertEquals(List.of(), read(reader, Arrays.copyOfRange(HELD_MESSAGE, 1, HELD_MESSAGE.length)), servers);
            assertEquals(List.of(), reader.read(result("end_turn", 10, 2)), servers);
        }
    }

    @Test
    void withoutAToolServerTheInitIsNotChecked() throws CliOutputException {
        CliEventReader reader = new CliEventReader(false, ToolNames.of(List.of()), false, new HashSet<>());
        assertEquals(List.of(), reader.read(init("[]")));
        assertFalse(reader.finished());
    }

    @Test
    void aClientCallEndsTheReplyHeldAndTheCliOwnCallIsHidden() throws CliOutputException {
        CliEventReader reader = reader(new HashSet<>());
        assertEquals(List.of(
                new Started(MODEL, new Usage(100, 1, 0, 7)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "Let me"),
                new TextDelta(0, " look."),
                new BlockStopped(0),
                new BlockStarted(1, new Block.ToolCall("toolu_1", "Bash")),
                new ToolInputDelta(1, "{\"command\": \"l"),
                new ToolInputDelta(1, "s -la\"}"),
                new BlockStopped(1),
                new Finished(StopReason.TOOL_USE, Optional.empty(), new Usage(100, 42, 0, 7))),
                read(reader, HELD_MESSAGE));
        assertTrue(reader.held());
        assertTrue(reader.finished());
        assertFalse(reader.completed(), "the CLI is mid-turn, not waiting for a user line");
        assertEquals(List.of("toolu_1"), reader.heldCalls());

        // what the CLI prints after the hold is not this reply's
        assertEquals(List.of(), read(reader,
                messageStop(HELD),
                assistant(HELD, "[{'type':'tool_use','id':'toolu_1','name':'mcp__proxy__Bash','input':{'command':'ls -la'}}]",
                        "tool_use", 100, 42),
                result("end_turn", 300, 60)));
        assertTrue(reader.held());
        assertEquals(List.of("toolu_1"), reader.heldCalls());
    }

    @Test
    void theReaderAfterTheResultsContinuesTheTurn() throws CliOutputException {
        Set<String> streamed = new HashSet<>();
        CliEventReader first = reader(streamed);
        read(first, HELD_MESSAGE);
        assertTrue(first.held());

        CliEventReader next = reader(streamed);
        String answer = "msg_answer";
        assertEquals(List.of(), read(next,
                messageStop(HELD),
                assistant(HELD, "[{'type':'tool_use','id':'toolu_1','name':'mcp__proxy__Bash','input':{'command':'ls -la'}}]",
                        "tool_use", 100, 42),
                toolResults("toolu_1", "toolu_2"),
                status()), "the held message was the reply before");
        assertFalse(next.finished());

        assertEquals(List.of(
                new Started(MODEL, new Usage(180, 1, 0, 0)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "Two files"),
                new TextDelta(0, " there."),
                new BlockStopped(0),
                new Finished(StopReason.END_TURN, Optional.empty(), new Usage(280, 50, 0, 0))),
                read(next,
                        messageStart(answer, 180, 0),
                        textStart(answer, 0),
                        textDelta(answer, 0, "Two files"),
                        textDelta(answer, 0, " there."),
                        assistant(answer, "[{'type':'text','text':'Two files there.'}]", null, 180, 1),
                        blockStop(answer, 0),
                        messageDelta(answer, "end_turn", 8),
                        messageStop(answer),
                        result("end_turn", 280, 50)));
        assertTrue(next.completed());
        assertFalse(next.held());
        assertEquals(List.of(), next.heldCalls());
    }

    @Test
    void aContinuationMayBeHeldAgain() throws CliOutputException {
        Set<String> streamed = new HashSet<>();
        read(reader(streamed), HELD_MESSAGE);
        CliEventReader next = reader(streamed);
        List<ReplyEvent> events = read(next,
                messageStop(HELD),
                toolResults("toolu_1", "toolu_2"),
                messageStart("msg_again", 200, 0),
                toolStart("msg_again", 0, "toolu_3", "mcp__proxy__get_weather"),
                inputDelta("msg_again", 0, "{}"),
                blockStop("msg_again", 0),
                messageDelta("msg_again", "tool_use", 6));
        assertEquals(List.of(
                new Started(MODEL, new Usage(200, 1, 0, 0)),
                new BlockStarted(0, new Block.ToolCall("toolu_3", "get_weather")),
                new ToolInputDelta(0, "{}"),
                new BlockStopped(0),
                new Finished(StopReason.TOOL_USE, Optional.empty(), new Usage(200, 6, 0, 0))), events);
        assertTrue(next.held());
        assertEquals(List.of("toolu_3"), next.heldCalls(), "only the calls of this reply");
    }

    @Test
    void severalClientCallsAreAllHeld() throws CliOutputException {
        CliEventReader reader = reader(new HashSet<>());
        List<ReplyEvent> events = read(reader,
                init("[{'name':'proxy','status':'connected'}]"),
                messageStart("m", 10, 0),
                toolStart("m", 0, "toolu_a", "mcp__proxy__get_weather"),
                inputDelta("m", 0, "{}"),
                blockStop("m", 0),
                toolStart("m", 1, "toolu_b", "mcp__proxy__Bash"),
                inputDelta("m", 1, "{\\'command\\':\\'pwd\\'}"),
                blockStop("m", 1),
                messageDelta("m", "tool_use", 20));
        assertTrue(events.contains(new BlockStarted(0, new Block.ToolCall("toolu_a", "get_weather"))), events.toString());
        assertTrue(events.contains(new BlockStarted(1, new Block.ToolCall("toolu_b", "Bash"))), events.toString());
        assertEquals(new Finished(StopReason.TOOL_USE, Optional.empty(), new Usage(10, 20, 0, 0)), events.getLast());
        assertEquals(List.of("toolu_a", "toolu_b"), reader.heldCalls());
    }

    /** Existing agent-mode behaviour: without client tools the CLI's calls are shown and the turn goes on. */
    @Test
    void onlyCliOwnCallsDoNotHoldWithoutClientTools() throws CliOutputException {
        CliEventReader reader = new CliEventReader(false, ToolNames.of(List.of()), false, new HashSet<>());
        List<ReplyEvent> events = read(reader,
                init("[]"),
                messageStart("m1", 100, 0),
                toolStart("m1", 0, "toolu_bash", "Bash"),
                inputDelta("m1", 0, "{\\'command\\':\\'pwd\\'}"),
                assistant("m1", "[{'type':'tool_use','id':'toolu_bash','name':'Bash','input':{'command':'pwd'}}]", null, 100, 1),
                blockStop("m1", 0),
                messageDelta("m1", "tool_use", 9),
                messageStop("m1"));
        assertEquals(List.of(
                new Started(MODEL, new Usage(100, 1, 0, 0)),
                new BlockStarted(0, new Block.CliToolCall("toolu_bash", "Bash")),
                new ToolInputDelta(0, "{\"command\":\"pwd\"}"),
                new BlockStopped(0)), events);
        assertFalse(reader.held());
        assertFalse(reader.finished());

        events = read(reader,
                toolResults("toolu_bash"),
                messageStart("m2", 120, 0),
                textStart("m2", 0),
                textDelta("m2", 0, "In /tmp/w."),
                blockStop("m2", 0),
                messageDelta("m2", "end_turn", 4),
                messageStop("m2"),
                result("end_turn", 220, 13));
        assertEquals(List.of(
                new BlockStarted(1, new Block.Text()),
                new TextDelta(1, "In /tmp/w."),
                new BlockStopped(1),
                new Finished(StopReason.END_TURN, Optional.empty(), new Usage(220, 13, 0, 0))), events);
        assertTrue(reader.completed());
        assertFalse(reader.held());
    }

    /** With client tools, a message calling only the CLI's own tools is the CLI's business: hidden, not held. */
    @Test
    void onlyCliOwnCallsDoNotHoldWithClientTools() throws CliOutputException {
        CliEventReader reader = reader(new HashSet<>());
        List<ReplyEvent> events = read(reader,
                init("[{'name':'proxy','status':'connected'}]"),
                messageStart("m1", 100, 0),
                toolStart("m1", 0, "toolu_read", "Read"),
                inputDelta("m1", 0, "{}"),
                blockStop("m1", 0),
                messageDelta("m1", "tool_use", 9),
                messageStop("m1"),
                toolResults("toolu_read"),
                messageStart("m2", 120, 0),
                textStart("m2", 0),
                textDelta("m2", 0, "Read it."),
                blockStop("m2", 0),
                messageDelta("m2", "end_turn", 4),
                messageStop("m2"),
                result("end_turn", 220, 13));
        assertEquals(List.of(
                new Started(MODEL, new Usage(100, 1, 0, 0)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "Read it."),
                new BlockStopped(0),
                new Finished(StopReason.END_TURN, Optional.empty(), new Usage(220, 13, 0, 0))), events);
        assertFalse(reader.held());
        assertTrue(reader.completed());
    }

    /** A message the CLI did not stream (its non-streamed retry after a broken stream, capture 104). */
    @Test
    void aNonStreamedMessageWithAClientCallIsHeld() throws CliOutputException {
        CliEventReader reader = reader(new HashSet<>());
        List<ReplyEvent> events = read(reader,
                init("[{'name':'proxy','status':'connected'}]"),
                assistant("msg_whole", "[{'type':'text','text':'Checking.'},"
                        + "{'type':'tool_use','id':'toolu_9','name':'mcp__proxy__get_weather','input':{'city':'Paris'}},"
                        + "{'type':'tool_use','id':'toolu_10','name':'Read','input':{'file_path':'/x'}}]",
                        "tool_use", 50, 12));
        assertEquals(List.of(
                new Started(MODEL, new Usage(50, 12, 0, 0)),
                new BlockStarted(0, new Block.Text()),
                new TextDelta(0, "Checking."),
                new BlockStopped(0),
                new BlockStarted(1, new Block.ToolCall("toolu_9", "get_weather")),
                new ToolInputDelta(1, "{\"city\":\"Paris\"}"),
                new BlockStopped(1),
                new Finished(StopReason.TOOL_USE, Optional.empty(), new Usage(50, 12, 0, 0))), events);
        assertTrue(reader.held());
        assertEquals(List.of("toolu_9"), reader.heldCalls());
        assertEquals(List.of(), reader.read(result("tool_use", 50, 12)));
    }

    @Test
    void anAliasedClientToolComesBackUnderTheClientsName() throws CliOutputException {
        List<ClientTool> tools = List.of(new ClientTool("files.read", "", ClientTool.NO_ARGUMENTS));
        ToolNames names = ToolNames.of(tools);
        CliEventReader reader = new CliEventReader(false, names, true, new HashSet<>());
        List<ReplyEvent> events = read(reader,
                init("[{'name':'proxy','status':'connected'}]"),
                messageStart("m", 10, 0),
                toolStart("m", 0, "toolu_f", "mcp__proxy__" + names.served("files.read")),
                blockStop("m", 0),
                messageDelta("m", "tool_use", 5));
        assertTrue(events.contains(new BlockStarted(0, new Block.ToolCall("toolu_f", "files.read"))), events.toString());
        assertTrue(reader.held());
    }
}
