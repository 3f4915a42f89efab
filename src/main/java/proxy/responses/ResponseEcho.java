package proxy.responses;

import java.util.Map;
import proxy.json.Node;

/**
 * The request fields a {@code response} object repeats (the SDKs read them back): each
 * top-level field the client sent among {@code instructions}, {@code max_output_tokens},
 * {@code metadata}, {@code parallel_tool_calls}, {@code previous_response_id},
 * {@code reasoning}, {@code store}, {@code temperature}, {@code text}, {@code tool_choice},
 * {@code tools}, {@code top_p}, {@code truncation}, {@code user}, as sent. Fields not sent are
 * absent; the writer gives them the API's defaults.
 *
 * @param fields field name → value as sent (JSON null included)
 */
record ResponseEcho(Map<String, Node> fields) {

    static final java.util.List<String> NAMES = java.util.List.of("instructions", "max_output_tokens", "metadata",
            "parallel_tool_calls", "previous_response_id", "reasoning", "store", "temperature", "text", "tool_choice",
            "tools", "top_p", "truncation", "user");

    ResponseEcho {
        fields = Map.copyOf(fields);
    }
}
