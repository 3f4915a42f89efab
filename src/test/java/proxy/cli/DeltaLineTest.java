package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The streaming fast path for delta lines: what it reads, and everything it leaves to the full read. */
class DeltaLineTest {

    @Test
    void readsEachDeltaTypesPayload() {
        assertEquals(new DeltaLine(0, "text_delta", "Hello"), DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u"}"""));
        assertEquals(new DeltaLine(1, "thinking_delta", "hmm"), DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hmm"}}}"""));
        assertEquals(new DeltaLine(2, "input_json_delta", "{\"a\""), DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\""}}}"""));
        assertEquals(new DeltaLine(0, "signature_delta", "sig"), DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}}"""));
    }

    @Test
    void keyOrderDoesNotMatter() {
        // 2.1.331 and 2.1.197 order keys differently (cli-protocol.md §12)
        assertEquals(new DeltaLine(3, "text_delta", "x"), DeltaLine.parse("""
                {"uuid":"u","event":{"delta":{"text":"x","type":"text_delta"},"index":3,"type":"content_block_delta"},"extra":{"a":[1,{"b":2}]},"type":"stream_event"}"""));
    }

    @Test
    void everyOtherLineIsLeftToTheFullRead() {
        assertNull(DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}}"""));
        assertNull(DeltaLine.parse("""
                {"type":"assistant","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}"""));
        assertNull(DeltaLine.parse("""
                {"event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}"""), "no type");
        assertNull(DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"x"}}}"""));
        assertNull(DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":0}}"""), "no delta");
        assertNull(DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}} {}"""),
                "trailing content");
        assertNull(DeltaLine.parse("""
                {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}"""),
                "cut short");
        assertNull(DeltaLine.parse("this is not json {"));
        assertNull(DeltaLine.parse("[]"));
    }
}
