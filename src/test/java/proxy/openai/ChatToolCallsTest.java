package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.ReplyEvent.ToolInputDelta;
import proxy.chat.ReplySink;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Node;
import proxy.openai.StrictOpenAiStream.ToolCall;

/**
 * Calls of the client's tools as OpenAI clients receive them, streamed ({@link ChatStream}) and
 * whole ({@link ChatBody}): reply events are fed straight into the sinks, and the streams are
 * read by {@link StrictOpenAiStream}, which checks the {@code tool_calls} deltas as the SDKs'
 * accumulators read them.
 */
class ChatToolCallsTest {

    private static final String ID = "chatcmpl-test";
    private static final long CREATED = 1_700_000_000L;

    private static final ReplyEvent STARTED = new ReplyEvent.Started("claude-sonnet-4-5", new Usage(20, 1, 0, 0));
    private static final ReplyEvent TOOL_USE = new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), new Usage(20, 42, 0, 0));
    private static final ReplyEvent END_TURN = new ReplyEvent.Finished(StopReason.END_TURN, Optional.empty(), new Usage(20, 9, 0, 0));

    /** Text, then two calls in one reply; the first call's arguments arrive in pieces, the first of them empty. */
    private static final List<ReplyEvent> TEXT_AND_TWO_CALLS = List.of(
            STARTED,
            new BlockStarted(0, new Block.Text()),
            new TextDelta(0, "Let me check "),
            new TextDelta(0, "both."),
            new BlockStopped(0),
            new BlockStarted(1, new Block.ToolCall("toolu_01A", "get_weather")),
            new ToolInputDelta(1, ""),
            new ToolInputDelta(1, "{\"city\": "),
            new ToolInputDelta(1, "\"Paris\"}"),
            new BlockStopped(1),
            new BlockStarted(2, new Block.ToolCall("toolu_01B", "get_time")),
            new ToolInputDelta(2, "{\"tz\":\"Europe/Paris\"}"),
            new BlockStopped(2),
            TOOL_USE);

    /** A call of a tool without arguments: the CLI streams nothing or an empty fragment for them. */
    private static final List<ReplyEvent> CALL_WITHOUT_ARGUMENTS = List.of(
            STARTED,
            new BlockStarted(0, new Block.ToolCall("toolu_01C", "now")),
            new ToolInputDelta(0, ""),
            new BlockStopped(0),
            new BlockStarted(1, new Block.ToolCall("toolu_01D", "today")),
            new BlockStopped(1),
            TOOL_USE);

    /** The CLI's own tool (agent mode), which it answered itself, between two texts. */
    private static final List<ReplyEvent> CLI_TOOL_ROUND = List.of(
            STARTED,
            new BlockStarted(0, new Block.Text()),
            new TextDelta(0, "Running it."),
            new BlockStopped(0),
            new BlockStarted(1, new Block.CliToolCall("toolu_cli", "Bash")),
            new ToolInputDelta(1, "{\"command\":\"ls\"}"),
            new BlockStopped(1),
            new BlockStarted(2, new Block.Text()),
            new TextDelta(2, "Done."),
            new BlockStopped(2),
            END_TURN);

    private static String stream(boolean legacyFunctions, boolean includeUsage, List<ReplyEvent> events) throws IOException {
        RecordingExchange exchange = new RecordingExchange();
        try (ChatStream stream = new ChatStream(exchange, ID, CREATED, "gpt-4o", 1, includeUsage, false, legacyFunctions)) {
            feed(stream.choice(0), events);
        }
        assertEquals(200, exchange.getResponseCode());
        return exchange.body();
    }

    private static Node body(boolean legacyFunctions, List<ReplyEvent> events) throws IOException {
        ChatBody body = new ChatBody(1, legacyFunctions);
        feed(body.choice(0), events);
        return Node.parse(new String(body.json(ID, CREATED, "gpt-4o", false), StandardCharsets.UTF_8));
    }

    /** Feeds the events; the sink wants every one of them but wants no more after the last. */
    private static void feed(ReplySink sink, List<ReplyEvent> events) throws IOException {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i < events.size() - 1, sink.accept(events.get(i)), "wants more after " + events.get(i));
        }
        sink.flush();
    }

    /** One chunk frame of the stream, as {@link ChatStream} writes it without usage. */
    private static String frame(String delta, String finishReason) {
        return "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + CREATED + ",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }

    private static String frame(String delta) {
        return frame(delta, null);
    }

    // ---- streaming

    @Test
    void streamTextThenTwoCallsWholeTranscript() throws IOException {
        String expected = frame("{\"role\":\"assistant\",\"content\":\"\"}")
                + frame("{\"content\":\"Let me check \"}")
                + frame("{\"content\":\"both.\"}")
                + frame("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01A\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}")
                + frame("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \"}}]}")
                + frame("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}")
                + frame("{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_01B\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}")
                + frame("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"}}]}")
                + frame("{}", "tool_calls")
                + "data: [DONE]\n\n";
        assertEquals(expected, stream(false, false, TEXT_AND_TWO_CALLS));
    }

    @Test
    void streamTextThenTwoCallsAsAClientAccumulatesIt() throws IOException {
        var result = StrictOpenAiStream.parse(stream(false, true, TEXT_AND_TWO_CALLS), true);
        var choice = result.choices().get(0);
        assertEquals("Let me check both.", choice.content());
        assertEquals(List.of(new ToolCall("toolu_01A", "get_weather", "{\"city\": \"Paris\"}"),
                new ToolCall("toolu_01B", "get_time", "{\"tz\":\"Europe/Paris\"}")), choice.toolCalls());
        assertNull(choice.functionCall());
        assertEquals("tool_calls", choice.finishReason());
        assertEquals(62, result.usage().get("total_tokens").longValue(-1));
    }

    /** A call without arguments gets {@code {}} at its end: clients parse the arguments, and "" is not JSON. */
    @Test
    void streamCallsWithoutArguments() throws IOException {
        var choice = StrictOpenAiStream.parse(stream(false, false, CALL_WITHOUT_ARGUMENTS), false).choices().get(0);
        assertEquals(List.of(new ToolCall("toolu_01C", "now", "{}"), new ToolCall("toolu_01D", "today", "{}")), choice.toolCalls());
        assertEquals("", choice.content());
        assertEquals("tool_calls", choice.finishReason());
    }

    /** The deprecated functions form: its one call as function_call deltas; a second call is not shown. */
    @Test
    void streamLegacyFunctionCall() throws IOException {
        String transcript = stream(true, false, TEXT_AND_TWO_CALLS);
        assertTrue(transcript.contains(frame("{\"function_call\":{\"name\":\"get_weather\",\"arguments\":\"\"}}")), transcript);
        assertTrue(transcript.contains(frame("{\"function_call\":{\"arguments\":\"\\\"Paris\\\"}\"}}")), transcript);
        assertFalse(transcript.contains("get_time") || transcript.contains("tool_calls"), transcript);
        var choice = StrictOpenAiStream.parse(transcript, false).choices().get(0);
        assertEquals(new ToolCall(null, "get_weather", "{\"city\": \"Paris\"}"), choice.functionCall());
        assertEquals(List.of(), choice.toolCalls());
        assertEquals("Let me check both.", choice.content());
        assertEquals("function_call", choice.finishReason());
    }

    @Test
    void streamLegacyFunctionCallWithoutArguments() throws IOException {
        var choice = StrictOpenAiStream.parse(stream(true, false, CALL_WITHOUT_ARGUMENTS), false).choices().get(0);
        assertEquals(new ToolCall(null, "now", "{}"), choice.functionCall());
        assertEquals("function_call", choice.finishReason());
    }

    /** The CLI's own tool calls were answered by the CLI: never shown, as before client tools. */
    @Test
    void streamHidesTheCliOwnToolCalls() throws IOException {
        String transcript = stream(false, false, CLI_TOOL_ROUND);
        assertFalse(transcript.contains("tool_calls") || transcript.contains("Bash"), transcript);
        var choice = StrictOpenAiStream.parse(transcript, false).choices().get(0);
        assertEquals("Running it.\n\nDone.", choice.content());
        assertEquals("stop", choice.finishReason());
    }

    /** A TOOL_USE end with no call for the client to answer must not send it looking for calls. */
    @Test
    void toolUseWithoutClientCallsIsAStop() throws IOException {
        List<ReplyEvent> events = new ArrayList<>(CLI_TOOL_ROUND);
        events.set(events.size() - 1, TOOL_USE);
        assertEquals("stop", StrictOpenAiStream.parse(stream(false, false, events), false).choices().get(0).finishReason());
        assertEquals("stop", body(false, events).get("choices").elements().get(0).text("finish_reason"));
    }

    /** Each choice numbers its calls from 0, even when the choices' events interleave. */
    @Test
    void eachChoiceNumbersItsCallsFromZero() throws IOException {
        RecordingExchange exchange = new RecordingExchange();
        try (ChatStream stream = new ChatStream(exchange, ID, CREATED, "gpt-4o", 2, false, false, false)) {
            ReplySink first = stream.choice(0);
            ReplySink second = stream.choice(1);
            for (ReplySink s : List.of(first, second)) {
                s.accept(STARTED);
            }
            first.accept(new BlockStarted(0, new Block.ToolCall("toolu_c0", "get_time")));
            second.accept(new BlockStarted(0, new Block.ToolCall("toolu_c1", "get_weather")));
            first.accept(new ToolInputDelta(0, "{\"tz\":\"UTC\"}"));
            second.accept(new ToolInputDelta(0, "{\"city\":\"Oslo\"}"));
            for (ReplySink s : List.of(first, second)) {
                s.accept(new BlockStopped(0));
                s.accept(TOOL_USE);
            }
        }
        var choices = StrictOpenAiStream.parse(exchange.body(), false).choices();
        assertEquals(List.of(new ToolCall("toolu_c0", "get_time", "{\"tz\":\"UTC\"}")), choices.get(0).toolCalls());
        assertEquals(List.of(new ToolCall("toolu_c1", "get_weather", "{\"city\":\"Oslo\"}")), choices.get(1).toolCalls());
    }

    // ---- whole body

    @Test
    void bodyWithTextAndTwoCalls() throws IOException {
        Node choice = body(false, TEXT_AND_TWO_CALLS).get("choices").elements().get(0);
        assertEquals("{\"role\":\"assistant\",\"content\":\"Let me check both.\",\"tool_calls\":["
                + "{\"id\":\"toolu_01A\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
                + "{\"id\":\"toolu_01B\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"}}],"
                + "\"refusal\":null,\"annotations\":[]}", choice.get("message").toJson());
        assertEquals("tool_calls", choice.text("finish_reason"));
    }

    /** With nothing but calls, content is null, as OpenAI answers. */
    @Test
    void bodyWithOnlyCalls() throws IOException {
        Node message = body(false, CALL_WITHOUT_ARGUMENTS).get("choices").elements().get(0).get("message");
        assertTrue(message.has("content") && message.get("content").isNull(), message.toJson());
        List<Node> calls = message.get("tool_calls").elements();
        assertEquals(List.of("toolu_01C", "toolu_01D"), calls.stream().map(c -> c.text("id")).toList());
        assertEquals(List.of("{}", "{}"), calls.stream().map(c -> c.get("function").text("arguments")).toList());
    }

    @Test
    void bodyLegacyFunctionCall() throws IOException {
        Node choice = body(true, TEXT_AND_TWO_CALLS).get("choices").elements().get(0);
        assertEquals("{\"role\":\"assistant\",\"content\":\"Let me check both.\",\"function_call\":"
                + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"},\"refusal\":null,\"annotations\":[]}",
                choice.get("message").toJson());
        assertEquals("function_call", choice.text("finish_reason"));
        Node noArguments = body(true, CALL_WITHOUT_ARGUMENTS).get("choices").elements().get(0).get("message");
        assertTrue(noArguments.get("content").isNull(), noArguments.toJson());
        assertEquals("{}", noArguments.get("function_call").text("arguments"));
    }

    /** Without client calls the body is as before: content a string, no tool_calls key. */
    @Test
    void bodyHidesTheCliOwnToolCalls() throws IOException {
        Node choice = body(false, CLI_TOOL_ROUND).get("choices").elements().get(0);
        assertEquals("{\"role\":\"assistant\",\"content\":\"Running it.\\n\\nDone.\",\"refusal\":null,\"annotations\":[]}",
                choice.get("message").toJson());
        assertEquals("stop", choice.text("finish_reason"));
    }

    /** Blocks the CLI abandoned (a broken upstream stream, retried) are left out of a body, calls too. */
    @Test
    void bodyLeavesOutAbandonedCalls() throws IOException {
        Node message = body(false, List.of(STARTED,
                new BlockStarted(0, new Block.ToolCall("toolu_lost", "get_weather")),
                new ToolInputDelta(0, "{\"ci"),
                new ReplyEvent.BlocksAbandoned(0),
                new BlockStarted(1, new Block.ToolCall("toolu_kept", "get_weather")),
                new ToolInputDelta(1, "{\"city\":\"Rome\"}"),
                new BlockStopped(1),
                TOOL_USE)).get("choices").elements().get(0).get("message");
        assertEquals("[{\"id\":\"toolu_kept\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]", message.get("tool_calls").toJson());
    }
}
