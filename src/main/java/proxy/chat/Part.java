package proxy.chat;

import java.util.List;

/** One piece of a turn. Both APIs' content blocks and message fields translate into these. */
public sealed interface Part {

    record Text(String text) implements Part {}

    /** An image given inline: {@code data} is base64, {@code mediaType} e.g. {@code image/png}. */
    record Image(String mediaType, String data) implements Part {}

    /** A call the assistant made; {@code inputJson} is the arguments object as JSON text. */
    record ToolCall(String id, String name, String inputJson) implements Part {}

    /** The answer to a {@link ToolCall}, given in a user turn. */
    record ToolResult(String toolCallId, List<Part> content, boolean isError) implements Part {
        public ToolResult {
            content = List.copyOf(content);
        }
    }

    /** Earlier reasoning, given back in history; {@code signature} proves it unaltered. */
    record Thinking(String thinking, String signature) implements Part {}

    /** Earlier reasoning the API returned encrypted. */
    record RedactedThinking(String data) implements Part {}
}
