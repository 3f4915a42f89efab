package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import proxy.anthropic.StrictAnthropicStream.Message;
import proxy.anthropic.StrictAnthropicStream.StreamError;
import proxy.anthropic.StrictAnthropicStream.Text;
import proxy.anthropic.StrictAnthropicStream.Thinking;
import proxy.anthropic.StrictAnthropicStream.ToolUse;

/** The strict validator accepts real recorded streams and names each kind of violation. */
class StrictAnthropicStreamTest {

    /** api-contract.md §1.5, = PY-A {@code tests/lib/streaming/fixtures/basic_response.txt}. */
    static final String BASIC = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK","type":"message","role":"assistant","content":[],"model":"claude-3-opus-latest","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    /**
     * PY-A {@code tests/lib/streaming/fixtures/tool_use_response.txt} (commit 3e8f18be). The fixture
     * file ends right after the last data line; the final blank line is added here because the TS
     * SSE decoder only dispatches a frame on a blank line.
     */
    static final String TOOL_USE = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_019Q1hrJbZG26Fb9BQhrkHEr","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":377,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"'ll check the current weather in Paris for you."}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"locati"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"on\\": \\"P"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ar"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":65}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    @Test
    void recordedTextStreamParses() {
        Message m = StrictAnthropicStream.parse(BASIC);

        assertEquals("msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK", m.id());
        assertEquals("claude-3-opus-latest", m.model());
        assertEquals(List.of(new Text("Hello there")), m.content());
        assertEquals("end_turn", m.stopReason());
        assertEquals(null, m.stopSequence());
        assertEquals(11, m.inputTokens());
        assertEquals(6, m.outputTokens());
    }

    @Test
    void recordedToolUseStreamParses() {
        Message m = StrictAnthropicStream.parse(TOOL_USE);

        assertEquals(List.of(new Text("I'll check the current weather in Paris for you."),
                new ToolUse("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", "{\"location\": \"Paris\"}")), m.content());
        assertEquals("tool_use", m.stopReason());
        assertEquals(377, m.inputTokens());
        assertEquals(65, m.outputTokens());
    }

    @Test
    void thinkingBlockWithSignatureAndStopSequence() {
        String sse = start() + """
                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"count."}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"1 2 3 "}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"XYZ"},"usage":{"output_tokens":9}}

                event: message_stop
                data: {"type":"message_stop"}

                """;

        Message m = StrictAnthropicStream.parse(sse);

        assertEquals(List.of(new Thinking("Let me count.", "EqQBCgIYAhIM"), new Text("1 2 3 ")), m.content());
        assertEquals("stop_sequence", m.stopReason());
        assertEquals("XYZ", m.stopSequence());
    }

    @Test
    void commentsPingsAndCrlfAreAccepted() {
        String sse = ": keep-alive\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n" + BASIC.replace("\n", "\r\n");

        assertEquals(List.of(new Text("Hello there")), StrictAnthropicStream.parse(sse).content());
    }

    // ---- violations ----

    @Test
    void missingEventLine() {
        String sse = BASIC.replace("event: content_block_start\n", "");

        assertViolation(sse, "data: line without an event: line");
    }

    @Test
    void eventNameDiffersFromType() {
        String sse = BASIC.replace("event: content_block_stop", "event: content_block_delta");

        assertViolation(sse, "event name differs from data.type");
    }

    @Test
    void deltaBeforeStart() {
        String sse = BASIC.replace("""
                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                """, "");

        assertViolation(sse, "delta for index 0, but no block is open");
    }

    @Test
    void indexGap() {
        String sse = BASIC.replace("\"index\":0", "\"index\":1");

        assertViolation(sse, "index 1, expected 0");
    }

    @Test
    void messageDeltaWithoutUsage() {
        String sse = BASIC.replace(",\"usage\":{\"output_tokens\":6}", "");

        assertViolation(sse, "event #7 (line 19, message_delta): usage missing");
    }

    @Test
    void eventAfterMessageStop() {
        String sse = BASIC + "event: ping\ndata: {\"type\":\"ping\"}\n\n";

        assertViolation(sse, "event #9 (line 25, ping): after message_stop");
    }

    @Test
    void unknownEventType() {
        String sse = BASIC.replace("event: ping\ndata: {\"type\": \"ping\"}",
                "event: cli_status\ndata: {\"type\":\"cli_status\"}");

        assertViolation(sse, "undocumented event type");
    }

    @Test
    void lastFrameWithoutBlankLine() {
        String sse = BASIC.stripTrailing() + "\n";

        assertViolation(sse, "without the blank line that ends a frame");
    }

    @Test
    void streamWithoutMessageStop() {
        String sse = BASIC.replace("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "");

        assertViolation(sse, "ended without message_stop");
    }

    @Test
    void contentBeforeMessageStart() {
        String sse = BASIC.replaceFirst("(?s)event: message_start\n.*?\n\n", "");

        assertViolation(sse, "Unexpected event order, got content_block_start before \"message_start\"");
    }

    @Test
    void messageStartWithoutUsage() {
        String sse = BASIC.replace(",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}", "");

        assertViolation(sse, "message.usage missing");
    }

    @Test
    void interleavedBlocks() {
        String sse = TOOL_USE.replaceFirst("(?s)event: content_block_stop\ndata: \\{\"type\":\"content_block_stop\",\"index\":0}\n\n", "");

        assertViolation(sse, "content_block_start while block 0 is still open");
    }

    @Test
    void deltaTypeDoesNotFitBlock() {
        String sse = BASIC.replace("\"type\":\"text_delta\",\"text\":\"Hello\"", "\"type\":\"input_json_delta\",\"partial_json\":\"{\"");

        assertViolation(sse, "delta type \"input_json_delta\" does not fit a text block");
    }

    @Test
    void toolInputNotAnObject() {
        String sse = TOOL_USE.replace("\"partial_json\":\"is\\\"}\"", "\"partial_json\":\"is\\\"\"");

        assertViolation(sse, "tool input is not JSON");
    }

    @Test
    void undocumentedStopReason() {
        String sse = BASIC.replace("\"stop_reason\":\"end_turn\"", "\"stop_reason\":\"stop\"");

        assertViolation(sse, "delta.stop_reason \"stop\" is not one of");
    }

    @Test
    void toolUseStopReasonWithoutAToolUseBlock() {
        String sse = BASIC.replace("\"stop_reason\":\"end_turn\"", "\"stop_reason\":\"tool_use\"");

        assertViolation(sse, "stop_reason tool_use, but the message has no tool_use block");
    }

    @Test
    void toolUseBlockMustStartWithEmptyInput() {
        String sse = TOOL_USE.replace("\"name\":\"get_weather\",\"input\":{}", "\"name\":\"get_weather\",\"input\":{\"a\":1}");

        assertViolation(sse, "tool_use.input must start as {}");
    }

    @Test
    void toolUseBlockNeedsAnId() {
        String sse = TOOL_USE.replace("\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\",", "");

        assertViolation(sse, "tool_use.id must be a non-empty string");
    }

    @Test
    void toolInputThatIsJsonButNotAnObject() {
        String sse = TOOL_USE.replace("\"partial_json\":\"{\\\"locati\"", "\"partial_json\":\"[\\\"locati\"")
                .replace("\"partial_json\":\"on\\\": \\\"P\"", "\"partial_json\":\"on\\\", \\\"P\"")
                .replace("\"partial_json\":\"is\\\"}\"", "\"partial_json\":\"is\\\"]\""); // ["location", "Paris"]

        assertViolation(sse, "tool input is not a JSON object");
    }

    @Test
    void thinkingWithoutSignature() {
        String sse = start() + """
                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                """;

        assertViolation(sse, "thinking block ends without a signature_delta");
    }

    // ---- in-band errors ----

    @Test
    void errorEventGivesStreamError() {
        String sse = BASIC.substring(0, BASIC.indexOf("event: content_block_delta"))
                + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n";

        StreamError e = assertThrows(StreamError.class, () -> StrictAnthropicStream.parse(sse));
        assertEquals("overloaded_error", e.type());
        assertEquals("Overloaded", e.message());
    }

    @Test
    void errorEventBeforeMessageStartGivesStreamError() {
        String sse = ": starting\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"CLI exited with 1\"}}\n\n";

        StreamError e = assertThrows(StreamError.class, () -> StrictAnthropicStream.parse(sse));
        assertEquals("api_error", e.type());
    }

    @Test
    void nothingMayFollowAnErrorEvent() {
        String sse = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        assertViolation(sse, "more follows the error event");
    }

    @Test
    void errorBodies() {
        StrictAnthropicStream.assertErrorBody(
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages: Field required\"},\"request_id\":\"req_1\"}",
                "invalid_request_error");
        StrictAnthropicStream.assertErrorBody(
                "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: x\"}}", "not_found_error");

        assertThrows(AssertionError.class, () -> StrictAnthropicStream.assertErrorBody(
                "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"m\"}}", "invalid_request_error"));
        assertThrows(AssertionError.class, () -> StrictAnthropicStream.assertErrorBody(
                "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"m\"}}", "invalid_request_error"));
        assertThrows(AssertionError.class, () -> StrictAnthropicStream.assertErrorBody(
                "{\"type\":\"error\",\"error\":{\"type\":\"api_error\"}}", "api_error"));
        assertThrows(AssertionError.class, () -> StrictAnthropicStream.assertErrorBody("Internal Server Error", "api_error"));
    }

    // ---- helpers ----

    private static String start() {
        return BASIC.substring(0, BASIC.indexOf("event: content_block_start"));
    }

    private static void assertViolation(String sse, String expected) {
        AssertionError e = assertThrows(AssertionError.class, () -> StrictAnthropicStream.parse(sse));
        assertTrue(e.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " + e.getMessage());
    }
}
