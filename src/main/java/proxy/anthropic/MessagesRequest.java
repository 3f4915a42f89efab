package proxy.anthropic;

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
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.HttpError;
import proxy.http.ImageUrls;
import proxy.http.RequestFields;
import proxy.json.Node;

/**
 * A {@code POST /v1/messages} body (api-contract.md §1.3), read with one streaming pass; also
 * the body of {@code POST /v1/messages/count_tokens}, where {@code max_tokens} is optional.
 * Unknown fields are skipped; what the CLI cannot do is refused with a 400 that names the
 * field, never dropped silently.
 *
 * @param maxTokens the reply's limit; empty only for a count_tokens body that did not set one
 * @param tools   the client's tools and {@code tool_choice} ({@link ClientToolsReader})
 * @param ignored sampling parameters the client sent, which the CLI cannot set
 */
record MessagesRequest(
        String model,
        Optional<String> system,
        List<Turn> turns,
        OptionalInt maxTokens,
        List<String> stopSequences,
        boolean stream,
        boolean thinking,
        OptionalInt thinkingBudget,
        ClientTools tools,
        List<String> ignored) {

    /** The API's limit for one image, decoded. */
    static final int MAX_IMAGE_BYTES = 5 * 1024 * 1024;
    private static final List<String> IMAGE_TYPES = List.of("image/jpeg", "image/png", "image/gif", "image/webp");

    static MessagesRequest read(JsonParser p, ImageUrls images) throws IOException {
        return read(p, images, true);
    }

    /** As {@link #read(JsonParser, ImageUrls)}; {@code max_tokens} may be absent unless {@code requireMaxTokens}. */
    static MessagesRequest read(JsonParser p, ImageUrls images, boolean requireMaxTokens) throws IOException {
        RequestFields.openBody(p);
        String model = null;
        Integer maxTokens = null;
        List<Turn> turns = null;
        StringBuilder system = new StringBuilder();
        List<String> stops = List.of();
        boolean stream = false;
        boolean thinking = false;
        OptionalInt budget = OptionalInt.empty();
        List<Node> tools = List.of();
        Node toolChoice = Node.MISSING;
        List<String> ignored = new ArrayList<>();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (f) {
                case "model" -> model = RequestFields.model(p, "model");
                case "max_tokens" -> maxTokens = integer(p, "max_tokens");
                case "messages" -> turns = messages(p, system, images);
                case "system" -> append(system, systemText(p, images));
                case "stop_sequences" -> stops = strings(p, "stop_sequences");
                case "stream" -> stream = bool(p, "stream");
                case "thinking" -> {
                    Node n = Node.read(p);
                    switch (String.valueOf(n.text("type"))) {
                        case "enabled" -> {
                            thinking = true;
                            long b = n.get("budget_tokens").longValue(-1);
                            if (b < 1024) {
                                throw invalid("thinking.budget_tokens", "must be an integer of at least 1024");
                            }
                            budget = OptionalInt.of((int) Math.min(b, Integer.MAX_VALUE));
                        }
                        case "adaptive" -> thinking = true;
                        case "disabled" -> thinking = false;
                        default -> throw invalid("thinking.type", "must be 'enabled', 'adaptive' or 'disabled'");
                    }
                }
                case "tools" -> {
                    if (t != JsonToken.VALUE_NULL) {
                        expect(p, JsonToken.START_ARRAY, "tools", "an array");
                    }
                    tools = Node.read(p).elements();
                }
                case "tool_choice" -> toolChoice = Node.read(p);
                case "temperature", "top_p", "top_k" -> {
                    p.skipChildren();
                    if (t != JsonToken.VALUE_NULL) {
                        ignored.add(f);
                    }
                }
                default -> p.skipChildren(); // metadata, service_tier, cache_control, ...
            }
        }
        if (model == null || model.isBlank()) {
            throw invalid("model", "Field required");
        }
        if (maxTokens == null && requireMaxTokens) {
            throw invalid("max_tokens", "Field required");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw invalid("max_tokens", "must be at least 1");
        }
        if (turns == null) {
            throw invalid("messages", "Field required");
        }
        turns = merged(turns);
        if (turns.isEmpty()) {
            throw invalid("messages", "at least one message is required");
        }
        if (turns.get(0).role() != Turn.Role.USER) {
            throw new HttpError(ErrorKind.INVALID_REQUEST, "messages.0.role: the first message must use the user role")
                    .withParam("messages"); // the param is the array, not the path in the message
        }
        if (turns.get(turns.size() - 1).role() != Turn.Role.USER) {
            throw invalid("messages", "the last message must use the user role; a final assistant message "
                    + "(prefill) is not supported by claude-proxy");
        }
        ClientTools clientTools = ClientToolsReader.read(tools, toolChoice);
        Optional<String> systemText = system.isEmpty() ? Optional.empty() : Optional.of(system.toString());
        OptionalInt limit = maxTokens == null ? OptionalInt.empty() : OptionalInt.of(maxTokens);
        return new MessagesRequest(model, systemText, turns, limit, stops, stream, thinking, budget, clientTools,
                List.copyOf(ignored));
    }

    Conversation conversation() {
        return new Conversation(model, system, turns, maxTokens, stopSequences, thinking, thinkingBudget,
                Optional.empty(), Optional.empty(), tools);
    }

    private static List<Turn> messages(JsonParser p, StringBuilder system, ImageUrls images) throws IOException {
        expect(p, JsonToken.START_ARRAY, "messages", "an array");
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            String where = "messages." + i;
            expect(p, JsonToken.START_OBJECT, where, "an object");
            String role = null;
            List<Part> parts = null;
            for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
                p.nextToken();
                switch (f) {
                    case "role" -> role = string(p, where + ".role");
                    case "content" -> parts = content(p, where + ".content", images);
                    default -> p.skipChildren();
                }
            }
            if (parts == null) {
                throw invalid(where + ".content", "Field required");
            }
            switch (role == null ? "" : role) {
                case "user" -> turns.add(new Turn(Turn.Role.USER, parts));
                case "assistant" -> turns.add(new Turn(Turn.Role.ASSISTANT, parts));
                case "system" -> append(system, textOnly(parts, where));
                default -> throw invalid(where + ".role", "must be 'user' or 'assistant'");
            }
        }
        return turns;
    }

    /** String content, or an array of blocks. */
    private static List<Part> content(JsonParser p, String where, ImageUrls images) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (text.isEmpty()) {
                throw invalid(where, "text content must be non-empty");
            }
            return List.of(new Part.Text(text));
        }
        expect(p, JsonToken.START_ARRAY, where, "a string or an array of content blocks");
        List<Part> parts = new ArrayList<>();
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            parts.add(block(Node.read(p), where + "." + i, images));
        }
        return parts;
    }

    private static Part block(Node b, String where, ImageUrls images) throws IOException {
        String type = String.valueOf(b.text("type"));
        return switch (type) {
            case "text" -> {
                String text = b.text("text");
                if (text == null || text.isEmpty()) {
                    throw invalid(where + ".text", "text content blocks must be non-empty");
                }
                yield new Part.Text(text);
            }
            case "image" -> image(b.get("source"), where + ".source", images);
            case "tool_use" -> new Part.ToolCall(required(b, "id", where), required(b, "name", where),
                    b.get("input").isObject() ? b.get("input").toJson() : "{}");
            case "tool_result" -> new Part.ToolResult(required(b, "tool_use_id", where),
                    toolResultContent(b.get("content"), where + ".content", images), b.get("is_error").isTrue());
            case "thinking" -> new Part.Thinking(String.valueOf(b.text("thinking")), String.valueOf(b.text("signature")));
            case "redacted_thinking" -> new Part.RedactedThinking(required(b, "data", where));
            default -> throw invalid(where + ".type", "content blocks of type '" + type
                    + "' are not supported by claude-proxy");
        };
    }

    /**
     * A tool result's content: absent, a string, or text and image blocks. An empty string is no
     * content (the API refuses an empty text block, which is what it would become).
     */
    private static List<Part> toolResultContent(Node c, String where, ImageUrls images) throws IOException {
        if (c.isMissing() || c.isNull()) {
            return List.of();
        }
        if (c.text() != null) {
            return c.text().isEmpty() ? List.of() : List.of(new Part.Text(c.text()));
        }
        if (c.isObject() || c.elements().isEmpty() && !c.toJson().equals("[]")) { // a number or boolean
            throw invalid(where, "must be a string or an array of content blocks");
        }
        List<Node> blocks = c.elements();
        List<Part> content = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Part part = block(blocks.get(i), where + "." + i, images);
            if (!(part instanceof Part.Text || part instanceof Part.Image)) {
                throw invalid(where + "." + i + ".type", "a tool result may only hold text and image blocks");
            }
            content.add(part);
        }
        return content;
    }

    private static Part image(Node source, String where, ImageUrls images) throws IOException {
        String kind = String.valueOf(source.text("type"));
        if (kind.equals("url")) {
            return images.resolve(required(source, "url", where), where + ".url"); // fetched, or refused, as configured
        }
        if (!kind.equals("base64")) {
            throw invalid(where + ".type", "image sources of type '" + kind + "' are not supported by claude-proxy; "
                    + "send the image as base64");
        }
        String mediaType = required(source, "media_type", where); // List.of(...).contains(null) throws
        if (!IMAGE_TYPES.contains(mediaType)) {
            throw invalid(where + ".media_type", "must be one of " + String.join(", ", IMAGE_TYPES));
        }
        String data = required(source, "data", where);
        long bytes = (long) data.length() * 3 / 4;
        if (bytes > MAX_IMAGE_BYTES) {
            throw new HttpError(ErrorKind.REQUEST_TOO_LARGE, where + ".data: image exceeds 5 MB maximum: "
                    + bytes + " bytes > " + MAX_IMAGE_BYTES + " bytes").withParam(where + ".data");
        }
        return new Part.Image(mediaType, data);
    }

    /** A system prompt: a string or an array of text blocks. */
    private static String systemText(JsonParser p, ImageUrls images) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return "";
        }
        return textOnly(content(p, "system", images), "system");
    }

    private static String textOnly(List<Part> parts, String where) {
        StringBuilder sb = new StringBuilder();
        for (Part part : parts) {
            if (!(part instanceof Part.Text t)) {
                throw invalid(where, "system text may only hold text blocks");
            }
            append(sb, t.text());
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String text) {
        if (!text.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "\n\n").append(text);
        }
    }

    /** Consecutive turns of one role are one turn, as the API treats them. */
    private static List<Turn> merged(List<Turn> turns) {
        List<Turn> out = new ArrayList<>();
        for (Turn t : turns) {
            Turn last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.role() == t.role()) {
                List<Part> parts = new ArrayList<>(last.parts());
                parts.addAll(t.parts());
                out.set(out.size() - 1, new Turn(t.role(), parts));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private static String required(Node n, String field, String where) {
        String v = n.text(field);
        if (v == null) {
            throw invalid(where + "." + field, "Field required");
        }
        return v;
    }

    private static List<String> strings(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.START_ARRAY, where, "an array of strings");
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String s = string(p, where + "." + out.size());
            if (s.isEmpty()) {
                throw new HttpError(ErrorKind.INVALID_REQUEST, where + "." + out.size() + ": must not be empty").withParam(where);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}
