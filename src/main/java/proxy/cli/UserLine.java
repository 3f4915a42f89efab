package proxy.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import proxy.chat.Part;
import proxy.json.Json;

/**
 * Content blocks in the shape the CLI reads them: the stdin user line
 * ({@code {"type":"user","message":{"role":"user","content":[...]}}}, cli-protocol.md §6) and
 * the messages of a seeded session file use the same blocks.
 */
final class UserLine {

    private UserLine() {}

    /** The one stdin line that asks the question, with its newline. */
    static byte[] of(List<Part> content) {
        byte[] json = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "user");
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "user");
            writeContent(g, content);
            g.writeEndObject();
            g.writeEndObject();
        });
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** {@code "content": [blocks]}. */
    static void writeContent(JsonGenerator g, List<Part> content) throws IOException {
        g.writeArrayFieldStart("content");
        for (Part part : content) {
            writeBlock(g, part);
        }
        g.writeEndArray();
    }

    static void writeBlock(JsonGenerator g, Part part) throws IOException {
        g.writeStartObject();
        switch (part) {
            case Part.Text t -> {
                g.writeStringField("type", "text");
                g.writeStringField("text", t.text());
            }
            case Part.Image i -> {
                g.writeStringField("type", "image");
                g.writeObjectFieldStart("source");
                g.writeStringField("type", "base64");
                g.writeStringField("media_type", i.mediaType());
                g.writeStringField("data", i.data());
                g.writeEndObject();
            }
            case Part.ToolCall c -> {
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeFieldName("input");
                g.writeRawValue(c.inputJson().isBlank() ? "{}" : c.inputJson());
            }
            case Part.ToolResult r -> {
                g.writeStringField("type", "tool_result");
                g.writeStringField("tool_use_id", r.toolCallId());
                writeContent(g, r.content());
                g.writeBooleanField("is_error", r.isError());
            }
            case Part.Thinking t -> {
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", t.thinking());
                g.writeStringField("signature", t.signature());
            }
            case Part.RedactedThinking r -> {
                g.writeStringField("type", "redacted_thinking");
                g.writeStringField("data", r.data());
            }
        }
        g.writeEndObject();
    }
}
