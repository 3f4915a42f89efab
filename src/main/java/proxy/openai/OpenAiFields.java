package proxy.openai;

import static proxy.http.RequestFields.invalid;

import java.io.IOException;
import java.util.Optional;
import proxy.chat.ClientTool;
import proxy.json.Node;

/** Request fields the Chat Completions and Responses APIs share, read the same way for both. */
public final class OpenAiFields {

    private OpenAiFields() {}

    /**
     * The CLI's effort level for an OpenAI reasoning effort; empty for {@code none}, which also
     * means no reasoning shown. {@code field} names the field in a 400.
     */
    public static Optional<String> effort(String value, String field) {
        return switch (value) {
            case "none" -> Optional.empty();
            case "minimal", "low" -> Optional.of("low"); // the CLI has nothing below low
            case "medium" -> Optional.of("medium");
            case "high" -> Optional.of("high");
            case "xhigh" -> Optional.of("max");
            default -> throw invalid(field, "must be one of 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'");
        };
    }

    /** A function tool's {@code parameters} schema as compact JSON; none: a function without arguments. */
    public static String parameters(Node parameters, String where) {
        if (parameters.isMissing() || parameters.isNull()) {
            return ClientTool.NO_ARGUMENTS; // the API's own default
        }
        if (!parameters.isObject()) {
            throw invalid(where, "must be an object (a JSON schema)");
        }
        return parameters.toJson();
    }

    /**
     * A function call's {@code arguments} as compact JSON: a JSON object encoded as a string
     * ("" or none: {@code {}}); an object as such is taken too, lenient towards hand-made
     * history. Anything else is a 400 naming {@code where}.
     */
    public static String arguments(Node arguments, String where) {
        if (arguments.isMissing() || arguments.isNull()) {
            return "{}";
        }
        if (arguments.isObject()) {
            return arguments.toJson();
        }
        String text = arguments.text();
        if (text == null) {
            throw invalid(where, "must be a string");
        }
        if (text.isBlank()) {
            return "{}";
        }
        try {
            Node parsed = Node.parse(text);
            if (parsed.isObject()) {
                return parsed.toJson();
            }
        } catch (IOException e) {
            // not JSON: answered below
        }
        throw invalid(where, "must be a JSON object encoded as a string");
    }
}
