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
     * OpenAI's word for why a choice ended. {@code TOOL_USE} reaches a client only when the reply
     * holds calls of its own tools for it to answer (the CLI's own calls in agent mode were
     * answered by the CLI and are not shown), so it is {@code tool_calls}; {@code content_filter}
     * only when the model itself refused.
     */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case MAX_TOKENS -> "length";
            case REFUSAL -> "content_filter";
            case TOOL_USE -> "tool_calls";
            case END_TURN, STOP_SEQUENCE, PAUSE_TURN -> "stop";
        };
    }

    /**
     * The finish reason of a choice that showed {@code calls} client tool calls: {@code tool_calls},
     * or {@code function_call} for a request in the deprecated {@code functions} form. A
     * {@code TOOL_USE} that showed none is a plain stop, since a client told {@code tool_calls}
     * looks for calls to answer.
     */
    static String finishReason(StopReason reason, int calls, boolean legacyFunctions) {
        if (reason == StopReason.TOOL_USE && calls == 0) {
            return "stop";
        }
        return reason == StopReason.TOOL_USE && legacyFunctions ? "function_call" : finishReason(reason);
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
        if (u.costUsd().isPresent()) { // the proxy's own field: what the CLI says the turn cost
            g.writeNumberField("cost_usd", u.costUsd().get());
        }
        g.writeEndObject();
    }
}
