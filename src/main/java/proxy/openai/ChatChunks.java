package proxy.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import proxy.http.RequestIds;
import proxy.chat.StopReason;
import proxy.chat.Usage;

/** The JSON pieces a completion and its chunks share: ids, finish reasons, usage. */
final class ChatChunks {

    private ChatChunks() {}

    static String newId() {
        return RequestIds.newId("chatcmpl-");
    }

    /**
     * OpenAI's word for why a choice ended. Tool calls the CLI made in agent mode were already
     * answered by the CLI and are not shown, so no choice ends in {@code tool_calls}; and
     * {@code content_filter} only when the model itself refused.
     */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case MAX_TOKENS -> "length";
            case REFUSAL -> "content_filter";
            case END_TURN, STOP_SEQUENCE, PAUSE_TURN, TOOL_USE -> "stop";
        };
    }

    /** {@code "usage": {...}}: prompt tokens count the cached ones too, as the Anthropic usage doc says. */
    static void usage(JsonGenerator g, Usage u) throws IOException {
        long prompt = u.inputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens();
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", prompt);
        g.writeNumberField("completion_tokens", u.outputTokens());
        g.writeNumberField("total_tokens", prompt + u.outputTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", u.cacheReadInputTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    static Usage add(Usage a, Usage b) {
        return new Usage(a.inputTokens() + b.inputTokens(), a.outputTokens() + b.outputTokens(),
                a.cacheCreationInputTokens() + b.cacheCreationInputTokens(),
                a.cacheReadInputTokens() + b.cacheReadInputTokens());
    }
}
