package proxy.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.HttpError;
import proxy.json.Node;

/**
 * A {@code POST /v1/chat/completions} body (api-contract.md §2.3, §2.4), read with one streaming
 * pass into the neutral {@link Conversation}. Unknown fields are skipped and {@code null} means
 * "not given" for every top-level field; what the CLI cannot do is refused with a 400 whose
 * message and {@code param} name the field in OpenAI's bracket style ({@code messages[0].role}).
 *
 * <p>Order of answers: any 400 for the body comes first; then an unknown model is a 404; only
 * then are image URLs fetched (if the operator allows it), so a doomed request costs no fetch.
 *
 * @param model        the model as the client asked for it (echoed in the response)
 * @param conversation what the CLI runs; its model is the resolved Claude model
 * @param includeUsage {@code stream_options.include_usage}, only when streaming
 * @param n            how many choices to run, 1..maxN
 * @param ignored      sampling and tracking parameters the client sent, which the CLI cannot use
 */
record ChatRequest(String model, Conversation conversation, boolean stream, boolean includeUsage, int n, List<String> ignored) {

    private static final int MAX_STOP = 4;

    /** A part of a turn that may still need a fetch (an image URL). */
    @FunctionalInterface
    private interface PartSource {
        Part get() throws IOException;
    }

    /** A turn before its images are fetched; consecutive messages of one role share one. */
    private record Draft(Turn.Role role, List<PartSource> parts) {}

    /** A message's {@code content}: {@code text} for the string form, else the parts. */
    private record Content(String text, List<Node> parts) {}

    static ChatRequest read(JsonParser p, ModelMap models, ImageUrls images, int maxN) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new HttpError(ErrorKind.INVALID_REQUEST, "the request body must be a JSON object");
        }
        String model = null;
        StringBuilder system = new StringBuilder();
        List<Draft> drafts = null;
        OptionalInt maxTokens = OptionalInt.empty();
        OptionalInt maxCompletionTokens = OptionalInt.empty();
        List<String> stop = List.of();
        int n = 1;
        boolean stream = false;
        boolean includeUsage = false;
        Optional<String> jsonSchema = Optional.empty();
        Optional<String> effort = Optional.empty();
        List<String> ignored = new ArrayList<>();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue; // clients send null for "not given"
            }
            switch (f) {
                case "model" -> model = string(p, f);
                case "messages" -> drafts = messages(p, images, system);
                case "max_tokens" -> maxTokens = OptionalInt.of(positive(p, f));
                case "max_completion_tokens" -> maxCompletionTokens = OptionalInt.of(positive(p, f));
                case "stop" -> stop = stop(p);
                case "n" -> n = choices(p, maxN);
                case "stream" -> stream = bool(p, f);
                case "stream_options" -> includeUsage = includeUsage(p);
                case "response_format" -> jsonSchema = responseFormat(Node.read(p));
                case "reasoning_effort" -> effort = effort(string(p, f));
                case "tools", "functions" -> refuseTools(p, f);
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
                default -> p.skipChildren(); // tool_choice, top_logprobs, metadata, store, service_tier, ...
            }
        }
        if (model == null || model.isBlank()) {
            throw invalid("model", "Field required").withCode("missing_required_parameter");
        }
        if (drafts == null) {
            throw invalid("messages", "Field required").withCode("missing_required_parameter");
        }
        String requested = model;
        String resolved = models.resolve(requested).orElseThrow(() -> ModelMap.notFound(requested));
        List<Turn> turns = new ArrayList<>();
        for (Draft d : drafts) {
            List<Part> parts = new ArrayList<>();
            for (PartSource s : d.parts()) {
                parts.add(s.get()); // fetches image URLs, now that the request is known to be good
            }
            turns.add(new Turn(d.role(), parts));
        }
        OptionalInt max = maxCompletionTokens.isPresent() ? maxCompletionTokens : maxTokens;
        Optional<String> systemText = system.isEmpty() ? Optional.empty() : Optional.of(system.toString());
        Conversation conversation = new Conversation(resolved, systemText, turns, max, stop,
                effort.isPresent(), OptionalInt.empty(), effort, jsonSchema);
        return new ChatRequest(requested, conversation, stream, stream && includeUsage, n, List.copyOf(ignored));
    }

    /** The messages as turns (system text goes to {@code system}); ends with a user turn. */
    private static List<Draft> messages(JsonParser p, ImageUrls images, StringBuilder system) throws IOException {
        expect(p, JsonToken.START_ARRAY, "messages", "an array");
        List<Draft> drafts = new ArrayList<>();
        int i = 0;
        for (; p.nextToken() != JsonToken.END_ARRAY; i++) {
            message(p, "messages[" + i + "]", images, system, drafts);
        }
        if (i == 0) {
            throw invalid("messages", "must not be empty");
        }
        if (drafts.isEmpty()) {
            throw invalid("messages", "at least one user message is required");
        }
        if (drafts.get(drafts.size() - 1).role() != Turn.Role.USER) {
            throw invalid("messages", "the last message must be from the user (or a tool result); "
                    + "continuing an assistant message is not supported");
        }
        return drafts;
    }

    private static void message(JsonParser p, String where, ImageUrls images, StringBuilder system, List<Draft> drafts)
            throws IOException {
        expect(p, JsonToken.START_OBJECT, where, "an object");
        String role = null;
        Content content = null;
        List<PartSource> toolCalls = List.of();
        String toolCallId = null;
        String refusal = null;
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (f) {
                case "role" -> role = string(p, where + ".role");
                case "content" -> content = content(p, where + ".content");
                case "tool_calls" -> toolCalls = toolCalls(p, where + ".tool_calls");
                case "tool_call_id" -> toolCallId = string(p, where + ".tool_call_id");
                case "refusal" -> refusal = string(p, where + ".refusal");
                default -> p.skipChildren(); // name, audio, function_call, ...
            }
        }
        if (role == null) {
            throw invalid(where + ".role", "Field required");
        }
        String contentAt = where + ".content";
        switch (role) {
            case "system", "developer" -> {
                for (String text : texts(required(content, contentAt), contentAt, false)) {
                    if (!text.isEmpty()) {
                        system.append(system.isEmpty() ? "" : "\n").append(text);
                    }
                }
            }
            case "user" -> {
                List<PartSource> parts = userParts(required(content, contentAt), contentAt, images);
                if (parts.isEmpty()) {
                    throw invalid(contentAt, "must not be empty");
                }
                add(drafts, Turn.Role.USER, parts);
            }
            case "assistant" -> {
                List<PartSource> parts = new ArrayList<>();
                List<String> texts = content == null ? List.of() : texts(content, contentAt, true);
                if (texts.isEmpty() && refusal != null) {
                    texts = List.of(refusal); // an echoed refusal: content is null then
                }
                texts.stream().filter(t -> !t.isEmpty()).forEach(t -> parts.add(ready(new Part.Text(t))));
                parts.addAll(toolCalls);
                if (parts.isEmpty()) {
                    throw invalid(contentAt, "an assistant message needs content or tool_calls");
                }
                add(drafts, Turn.Role.ASSISTANT, parts);
            }
            case "tool" -> {
                if (toolCallId == null) {
                    throw invalid(where + ".tool_call_id", "Field required");
                }
                String text = String.join("\n", texts(required(content, contentAt), contentAt, false));
                List<Part> result = text.isEmpty() ? List.of() : List.of(new Part.Text(text));
                add(drafts, Turn.Role.USER, List.of(ready(new Part.ToolResult(toolCallId, result, false))));
            }
            case "function" -> throw invalid(where + ".role", "the deprecated 'function' role is not supported "
                    + "by claude-proxy; send tool results as 'tool' messages");
            default -> throw invalid(where + ".role", "must be one of 'system', 'developer', 'user', 'assistant' or 'tool'");
        }
    }

    /** Consecutive turns of one role are one turn: tool results and the user's next words go together. */
    private static void add(List<Draft> drafts, Turn.Role role, List<PartSource> parts) {
        Draft last = drafts.isEmpty() ? null : drafts.get(drafts.size() - 1);
        if (last != null && last.role() == role) {
            last.parts().addAll(parts);
        } else {
            drafts.add(new Draft(role, new ArrayList<>(parts)));
        }
    }

    private static Content content(JsonParser p, String where) throws IOException {
        switch (p.currentToken()) {
            case VALUE_STRING -> {
                return new Content(p.getText(), List.of());
            }
            case START_ARRAY -> {
                List<Node> parts = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    Node part = Node.read(p);
                    if (!part.isObject()) {
                        throw invalid(where + "[" + parts.size() + "]", "must be an object");
                    }
                    parts.add(part);
                }
                return new Content(null, parts);
            }
            default -> throw invalid(where, "must be a string or an array of content parts");
        }
    }

    /** The texts of system, assistant ({@code refusal} parts too) and tool messages. */
    private static List<String> texts(Content content, String where, boolean refusals) {
        if (content.text() != null) {
            return List.of(content.text());
        }
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < content.parts().size(); j++) {
            Node part = content.parts().get(j);
            String at = where + "[" + j + "]";
            String type = type(part, at);
            if (type.equals("text") || (refusals && type.equals("refusal"))) {
                texts.add(text(part, type, at));
            } else {
                throw invalid(at + ".type", "only " + (refusals ? "'text' and 'refusal'" : "'text'")
                        + " parts are allowed here, not '" + type + "'");
            }
        }
        return texts;
    }

    private static List<PartSource> userParts(Content content, String where, ImageUrls images) {
        if (content.text() != null) {
            return content.text().isEmpty() ? List.of() : List.of(ready(new Part.Text(content.text())));
        }
        List<PartSource> parts = new ArrayList<>();
        for (int j = 0; j < content.parts().size(); j++) {
            Node part = content.parts().get(j);
            String at = where + "[" + j + "]";
            String type = type(part, at);
            switch (type) {
                case "text" -> {
                    String text = text(part, "text", at);
                    if (!text.isEmpty()) {
                        parts.add(ready(new Part.Text(text)));
                    }
                }
                case "image_url" -> {
                    Node imageUrl = part.get("image_url");
                    String url = imageUrl.isObject() ? imageUrl.text("url") : imageUrl.text(); // some clients send the bare URL
                    if (url == null) {
                        throw invalid(at + ".image_url.url", "Field required");
                    }
                    ImageUrls.Pending image = images.prepare(url, at + ".image_url.url"); // checked now, fetched later
                    parts.add(image::get);
                }
                default -> throw invalid(at + ".type", "content parts of type '" + type + "' are not supported by claude-proxy");
            }
        }
        return parts;
    }

    private static List<PartSource> toolCalls(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.START_ARRAY, where, "an array");
        List<PartSource> calls = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String at = where + "[" + calls.size() + "]";
            Node call = Node.read(p);
            if (!call.isObject()) {
                throw invalid(at, "must be an object");
            }
            String type = call.text("type");
            if (type != null && !type.equals("function")) {
                throw invalid(at + ".type", "only 'function' tool calls are supported, not '" + type + "'");
            }
            Node function = call.get("function");
            if (!function.isObject()) {
                throw invalid(at + ".function", "Field required");
            }
            Part.ToolCall part = new Part.ToolCall(text(call, "id", at), text(function, "name", at + ".function"),
                    arguments(function.get("arguments"), at + ".function.arguments"));
            calls.add(ready(part));
        }
        return calls;
    }

    /** A call's {@code arguments}: a JSON object encoded as a string; "" (no arguments) is {@code {}}. */
    private static String arguments(Node arguments, String where) {
        if (arguments.isMissing() || arguments.isObject()) { // an object as such: lenient towards hand-made history
            return arguments.isMissing() ? "{}" : arguments.toJson();
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

    /** The CLI's effort level; empty for {@code none}, which also means no reasoning shown. */
    private static Optional<String> effort(String value) {
        return switch (value) {
            case "none" -> Optional.empty();
            case "minimal", "low" -> Optional.of("low"); // the CLI has nothing below low
            case "medium" -> Optional.of("medium");
            case "high" -> Optional.of("high");
            case "xhigh" -> Optional.of("max");
            default -> throw invalid("reasoning_effort",
                    "must be one of 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'");
        };
    }

    private static void refuseTools(JsonParser p, String field) throws IOException {
        expect(p, JsonToken.START_ARRAY, field, "an array");
        if (p.nextToken() != JsonToken.END_ARRAY) {
            throw invalid(field, "client tools are not supported by claude-proxy yet; send the request without '" + field + "'");
        }
    }

    private static PartSource ready(Part part) {
        return () -> part;
    }

    private static String type(Node part, String where) {
        return text(part, "type", where);
    }

    /** The string field {@code field} of {@code n}, which must be there. */
    private static String text(Node n, String field, String where) {
        if (n.text(field) == null) {
            throw invalid(where + "." + field, n.has(field) ? "must be a string" : "Field required");
        }
        return n.text(field);
    }

    private static Content required(Content content, String where) {
        if (content == null) {
            throw invalid(where, "Field required");
        }
        return content;
    }

    private static String string(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.VALUE_STRING, where, "a string");
        return p.getText();
    }

    private static int positive(JsonParser p, String where) throws IOException {
        int v = integer(p, where);
        if (v < 1) {
            throw invalid(where, "must be a positive integer");
        }
        return v;
    }

    private static int integer(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.VALUE_NUMBER_INT, where, "an integer");
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, p.getLongValue()));
    }

    private static boolean bool(JsonParser p, String where) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw invalid(where, "must be a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private static void expect(JsonParser p, JsonToken token, String where, String what) {
        if (p.currentToken() != token) {
            throw invalid(where, "must be " + what);
        }
    }

    private static HttpError invalid(String param, String why) {
        return new HttpError(ErrorKind.INVALID_REQUEST, param + ": " + why).withParam(param);
    }
}
