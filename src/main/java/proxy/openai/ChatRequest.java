package proxy.openai;

import proxy.http.ImageUrls;
import static proxy.http.RequestFields.bool;
import static proxy.http.RequestFields.expect;
import static proxy.http.RequestFields.integer;
import static proxy.http.RequestFields.invalid;
import static proxy.http.RequestFields.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import proxy.chat.ClientTools;
import proxy.chat.Conversation;
import proxy.chat.Turn;
import proxy.http.RequestFields;
import proxy.json.Node;

/**
 * A {@code POST /v1/chat/completions} body (api-contract.md §2.3, §2.4), read with one streaming
 * pass into the neutral {@link Conversation}. Unknown fields are skipped and {@code null} means
 * "not given" for every top-level field; what the CLI cannot do is refused with a 400 whose
 * message and {@code param} name the field in OpenAI's bracket style ({@code messages[0].role}).
 * The {@code messages} themselves are translated by {@link ChatMessages}, the tool fields by
 * {@link ChatTools}.
 *
 * <p>Order of answers: any 400 for the body comes first; then an unknown model is a 404; only
 * then are image URLs fetched (if the operator allows it), so a doomed request costs no fetch.
 *
 * @param model        the model as the client asked for it (echoed in the response)
 * @param conversation what the CLI runs; its model is the resolved Claude model
 * @param includeUsage {@code stream_options.include_usage}, only when streaming
 * @param n            how many choices to run, 1..maxN
 * @param ignored      sampling and tracking parameters the client sent, which the CLI cannot use
 * @param legacyFunctions the tools came as the deprecated {@code functions}: a call goes back as
 *                     {@code message.function_call} (finish reason {@code function_call}), not {@code tool_calls}
 */
record ChatRequest(String model, Conversation conversation, boolean stream, boolean includeUsage, int n, List<String> ignored,
        boolean legacyFunctions) {

    private static final int MAX_STOP = 4;

    static ChatRequest read(JsonParser p, ModelMap models, ImageUrls images, int maxN) throws IOException {
        RequestFields.openBody(p);
        String model = null;
        StringBuilder system = new StringBuilder();
        ChatMessages messages = null;
        OptionalInt maxTokens = OptionalInt.empty();
        OptionalInt maxCompletionTokens = OptionalInt.empty();
        List<String> stop = List.of();
        int n = 1;
        boolean stream = false;
        boolean includeUsage = false;
        Optional<String> jsonSchema = Optional.empty();
        Optional<String> effort = Optional.empty();
        List<String> ignored = new ArrayList<>();
        ChatTools tools = new ChatTools();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue; // clients send null for "not given"
            }
            switch (f) {
                case "model" -> model = RequestFields.model(p, f);
                case "messages" -> messages = ChatMessages.read(p, images, system);
                case "max_tokens" -> maxTokens = OptionalInt.of(positive(p, f));
                case "max_completion_tokens" -> maxCompletionTokens = OptionalInt.of(positive(p, f));
                case "stop" -> stop = stop(p);
                case "n" -> n = choices(p, maxN);
                case "stream" -> stream = bool(p, f);
                case "stream_options" -> includeUsage = includeUsage(p);
                case "response_format" -> jsonSchema = responseFormat(Node.read(p));
                case "reasoning_effort" -> effort = OpenAiFields.effort(string(p, f), f);
                case "tools", "functions", "tool_choice", "function_call", "parallel_tool_calls" -> tools.read(f, p);
                case "logprobs" -> {
                    if (bool(p, f)) {
                        throw invalid(f, "not supported by claude-proxy");
                    }
                }
                case "temperature", "top_p", "presence_penalty", "frequency_penalty", "seed", "logit_bias", "user" -> {
                    p.skipChildren();
                    if (!ignored.contains(f)) {
                        ignored.add(f);
                    }
                }
                default -> p.skipChildren(); // top_logprobs, metadata, store, service_tier, ...
            }
        }
        if (model == null || model.isBlank()) {
            throw invalid("model", "Field required").withCode("missing_required_parameter");
        }
        if (messages == null) {
            throw invalid("messages", "Field required").withCode("missing_required_parameter");
        }
        ClientTools clientTools = tools.clientTools();
        String requested = model;
        String resolved = models.resolve(requested).orElseThrow(() -> ModelMap.notFound(requested));
        List<Turn> turns = messages.turns(); // fetches image URLs, now that the request is known to be good
        OptionalInt max = maxCompletionTokens.isPresent() ? maxCompletionTokens : maxTokens;
        Optional<String> systemText = system.isEmpty() ? Optional.empty() : Optional.of(system.toString());
        Conversation conversation = new Conversation(resolved, systemText, turns, max, stop,
                effort.isPresent(), OptionalInt.empty(), effort, jsonSchema, clientTools);
        return new ChatRequest(requested, conversation, stream, stream && includeUsage, n, List.copyOf(ignored),
                tools.legacy());
    }

    private static List<String> stop(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText().isEmpty() ? List.of() : List.of(p.getText());
        }
        expect(p, JsonToken.START_ARRAY, "stop", "a string or an array of strings");
        List<String> stops = new ArrayList<>();
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            if (i == MAX_STOP) {
                throw invalid("stop", "at most " + MAX_STOP + " stop sequences are supported");
            }
            String s = string(p, "stop[" + i + "]");
            if (!s.isEmpty()) {
                stops.add(s);
            }
        }
        return stops;
    }

    private static int choices(JsonParser p, int maxN) throws IOException {
        int n = integer(p, "n");
        if (n < 1) {
            throw invalid("n", "must be at least 1");
        }
        if (n > maxN) {
            throw invalid("n", "at most " + maxN + " choices are supported");
        }
        return n;
    }

    private static boolean includeUsage(JsonParser p) throws IOException {
        expect(p, JsonToken.START_OBJECT, "stream_options", "an object");
        boolean include = false;
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            if (p.nextToken() != JsonToken.VALUE_NULL && f.equals("include_usage")) {
                include = bool(p, "stream_options.include_usage");
            } else {
                p.skipChildren(); // include_obfuscation, ...: nothing to do
            }
        }
        return include;
    }

    /** The JSON schema the answer must follow, if the format asks for one. */
    private static Optional<String> responseFormat(Node format) {
        if (!format.isObject()) {
            throw invalid("response_format", "must be an object");
        }
        String type = String.valueOf(format.text("type"));
        return switch (type) {
            case "text" -> Optional.empty();
            case "json_object" -> Optional.of("{\"type\":\"object\"}");
            case "json_schema" -> {
                Node schema = format.get("json_schema").get("schema"); // name and strict: nothing to do with them
                if (!schema.isObject()) {
                    throw invalid("response_format.json_schema.schema", "Field required: a JSON schema object");
                }
                yield Optional.of(schema.toJson());
            }
            default -> throw invalid("response_format.type", "must be 'text', 'json_object' or 'json_schema'");
        };
    }

    private static int positive(JsonParser p, String where) throws IOException {
        int v = integer(p, where);
        if (v < 1) {
            throw invalid(where, "must be a positive integer");
        }
        return v;
    }
}
