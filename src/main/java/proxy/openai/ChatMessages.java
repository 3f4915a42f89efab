package proxy.openai;

import proxy.http.ImageUrls;
import static proxy.http.RequestFields.expect;
import static proxy.http.RequestFields.invalid;
import static proxy.http.RequestFields.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.json.Node;

/**
 * A Chat Completions {@code messages} array translated into neutral {@link Turn}s plus system
 * text.
 *
 * <ul>
 *   <li>{@code system} and {@code developer} messages become system text, appended to the
 *       builder the caller passes and joined with newlines; empty texts are dropped.
 *   <li>{@code user} messages are user turns of text and image parts; {@code tool} messages are
 *       user turns holding one tool result; {@code assistant} messages are assistant turns of
 *       text (an echoed {@code refusal} counts as text) and tool calls.
 *   <li>The deprecated forms are the same: an assistant's {@code function_call} is a tool call
 *       and a {@code function} message its result, paired by {@link LegacyFunctionCalls}.
 *   <li>Consecutive turns of one role are merged into one, so tool results and the user's next
 *       words go together.
 * </ul>
 *
 * <p>Refused with a 400 whose {@code param} is the bracket path ({@code messages[0].content}):
 * a non-array or empty array; no user or tool message; a last turn that is not the user's
 * (assistant prefill); an unknown role; a missing role, content or {@code tool_call_id}; a
 * {@code function} message with no call waiting for it; a user message with nothing in it;
 * content parts other than text and image URLs (only text for system and tool messages, text
 * and refusal for assistant ones); tool calls that are not functions or whose arguments are
 * not a JSON object.
 *
 * <p>Image URLs are checked while reading but fetched only by {@link #turns()}, which the caller
 * calls once the rest of the request is known to be good.
 */
final class ChatMessages {

    /** A part of a turn that may still need a fetch (an image URL). */
    @FunctionalInterface
    private interface PartSource {
        Part get() throws IOException;
    }

    /** A turn before its images are fetched; consecutive messages of one role share one. */
    private record Draft(Turn.Role role, List<PartSource> parts) {}

    /** A message's {@code content}: {@code text} for the string form, else the parts. */
    private record Content(String text, List<Node> parts) {}

    /** Never empty; the last is a user turn. */
    private final List<Draft> drafts;

    private ChatMessages(List<Draft> drafts) {
        this.drafts = drafts;
    }

    /** Reads the {@code messages} array at the parser; system text is appended to {@code system}. */
    static ChatMessages read(JsonParser p, ImageUrls images, StringBuilder system) throws IOException {
        expect(p, JsonToken.START_ARRAY, "messages", "an array");
        List<Draft> drafts = new ArrayList<>();
        LegacyFunctionCalls legacy = new LegacyFunctionCalls();
        int i = 0;
        for (; p.nextToken() != JsonToken.END_ARRAY; i++) {
            message(p, "messages[" + i + "]", images, system, drafts, legacy);
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
        return new ChatMessages(drafts);
    }

    /** The turns, fetching image URLs now; a failed fetch is the {@link ImageUrls} error. */
    List<Turn> turns() throws IOException {
        List<Turn> turns = new ArrayList<>();
        for (Draft d : drafts) {
            List<Part> parts = new ArrayList<>();
            for (PartSource s : d.parts()) {
                parts.add(s.get()); // fetches image URLs, now that the request is known to be good
            }
            turns.add(new Turn(d.role(), parts));
        }
        return turns;
    }

    private static void message(JsonParser p, String where, ImageUrls images, StringBuilder system, List<Draft> drafts,
            LegacyFunctionCalls legacy) throws IOException {
        expect(p, JsonToken.START_OBJECT, where, "an object");
        String role = null;
        Content content = null;
        List<PartSource> toolCalls = List.of();
        String toolCallId = null;
        String refusal = null;
        Node functionCall = Node.MISSING;
        String name = null;
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
                case "function_call" -> functionCall = Node.read(p);
                case "name" -> name = Node.read(p).text(); // only a function message's name matters
                default -> p.skipChildren(); // audio, ...
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
                if (!functionCall.isMissing()) {
                    parts.add(ready(legacyCall(functionCall, where + ".function_call", legacy)));
                }
                if (parts.isEmpty()) {
                    throw invalid(contentAt, "an assistant message needs content, tool_calls or function_call");
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
            case "function" -> {
                String id = legacy.answer(name, where);
                String text = content == null ? "" : String.join("\n", texts(content, contentAt, false)); // content may be null
                List<Part> result = text.isEmpty() ? List.of() : List.of(new Part.Text(text));
                add(drafts, Turn.Role.USER, List.of(ready(new Part.ToolResult(id, result, false))));
            }
            default -> throw invalid(where + ".role",
                    "must be one of 'system', 'developer', 'user', 'assistant', 'tool' or 'function'");
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
                    OpenAiFields.arguments(function.get("arguments"), at + ".function.arguments"));
            calls.add(ready(part));
        }
        return calls;
    }

    /** An assistant's deprecated {@code function_call: {name, arguments}}, given the next legacy id. */
    private static Part.ToolCall legacyCall(Node call, String where, LegacyFunctionCalls legacy) {
        if (!call.isObject()) {
            throw invalid(where, "must be an object");
        }
        return legacy.call(text(call, "name", where), OpenAiFields.arguments(call.get("arguments"), where + ".arguments"));
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
}
