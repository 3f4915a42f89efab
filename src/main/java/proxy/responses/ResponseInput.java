package proxy.responses;

import static proxy.http.RequestFields.invalid;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import proxy.chat.Part;
import proxy.chat.Turn;
import proxy.http.ImageUrls;
import proxy.json.Node;
import proxy.openai.OpenAiFields;

/**
 * A Responses {@code input} translated into neutral {@link Turn}s plus system texts.
 *
 * <ul>
 *   <li>A string is one user message.
 *   <li>{@code message} items ({@code type} may be left out when {@code role} is there):
 *       {@code developer} and {@code system} ones become system text, wherever they stand;
 *       {@code user} ones are user turns of text and images; {@code assistant} ones are
 *       assistant turns of text (a {@code refusal} part counts as text). Text parts may be
 *       {@code input_text} or {@code output_text} in any role. An assistant message with no
 *       text is dropped (it said nothing), a user message with none is refused.
 *   <li>{@code function_call} items are assistant tool calls, named {@link FunctionName#flat}
 *       when they carry a {@code namespace}; {@code function_call_output} items are user turns
 *       holding one tool result.
 *   <li>{@code reasoning} items are dropped: there is nothing in them the CLI can replay.
 *   <li>Consecutive turns of one role are merged into one, so tool results and the user's next
 *       words go together.
 * </ul>
 *
 * <p>Refused with a 400 whose {@code param} is the bracket path ({@code input[2].content[0].type}):
 * an empty input; no user turn; a last turn that is not the user's (assistant prefill); any other
 * item type ({@code item_reference}, hosted tools' calls, {@code custom_tool_call}, ...); an
 * unknown role; missing fields; {@code input_file} parts and images by {@code file_id}; call
 * arguments that are not a JSON object.
 *
 * <p>Image URLs are checked while reading but fetched only by {@link #turns()}, which the caller
 * calls once the rest of the request is known to be good.
 */
final class ResponseInput {

    /** A part of a turn that may still need a fetch (an image URL). */
    @FunctionalInterface
    private interface PartSource {
        Part get() throws IOException;
    }

    /** A turn before its images are fetched; consecutive items of one role share one. */
    private record Draft(Turn.Role role, List<PartSource> parts) {}

    /** Never empty; the last is a user turn. */
    private final List<Draft> drafts;
    private final List<String> system;

    private ResponseInput(List<Draft> drafts, List<String> system) {
        this.drafts = drafts;
        this.system = List.copyOf(system);
    }

    /** Reads the {@code input} at the parser: a string, or an array of items. */
    static ResponseInput read(JsonParser p, ImageUrls images) throws IOException {
        List<Draft> drafts = new ArrayList<>();
        List<String> system = new ArrayList<>();
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            if (p.getText().isEmpty()) {
                throw invalid("input", "must not be empty");
            }
            add(drafts, Turn.Role.USER, ready(new Part.Text(p.getText())));
            return new ResponseInput(drafts, system);
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalid("input", "must be a string or an array of input items");
        }
        int i = 0;
        for (; p.nextToken() != JsonToken.END_ARRAY; i++) {
            item(Node.read(p), "input[" + i + "]", images, drafts, system);
        }
        if (i == 0) {
            throw invalid("input", "must not be empty");
        }
        if (drafts.isEmpty()) {
            throw invalid("input", "at least one user message or function_call_output is required");
        }
        if (drafts.get(drafts.size() - 1).role() != Turn.Role.USER) {
            throw invalid("input", "the last item must be a user message or a function_call_output; "
                    + "continuing an assistant message is not supported");
        }
        return new ResponseInput(drafts, system);
    }

    /** The developer and system texts, in order. */
    List<String> system() {
        return system;
    }

    /** The turns, fetching image URLs now; a failed fetch is the {@link ImageUrls} error. */
    List<Turn> turns() throws IOException {
        List<Turn> turns = new ArrayList<>();
        for (Draft d : drafts) {
            turns.add(new Turn(d.role(), resolve(d.parts())));
        }
        return turns;
    }

    private static List<Part> resolve(List<PartSource> sources) throws IOException {
        List<Part> parts = new ArrayList<>();
        for (PartSource s : sources) {
            parts.add(s.get());
        }
        return parts;
    }

    private static void item(Node item, String where, ImageUrls images, List<Draft> drafts, List<String> system) {
        if (!item.isObject()) {
            throw invalid(where, "must be an object");
        }
        String type = optionalText(item, "type", where);
        if (type == null) {
            if (item.get("role").isMissing() || item.get("role").isNull()) {
                throw invalid(where + ".type", "Field required");
            }
            type = "message"; // the short form: {role, content}
        }
        switch (type) {
            case "message" -> message(item, where, images, drafts, system);
            case "function_call" -> add(drafts, Turn.Role.ASSISTANT, ready(call(item, where)));
            case "function_call_output" -> add(drafts, Turn.Role.USER, output(item, where, images));
            case "reasoning" -> { } // the model's own earlier reasoning (often encrypted): nothing the CLI can replay
            case "item_reference" -> throw invalid(where + ".type",
                    "item references are not supported by claude-proxy; send the item itself");
            default -> throw invalid(where + ".type", "input items of type '" + type + "' are not supported by claude-proxy");
        }
    }

    private static void message(Node item, String where, ImageUrls images, List<Draft> drafts, List<String> system) {
        String role = text(item, "role", where);
        Node content = item.get("content");
        String at = where + ".content";
        if (content.isMissing() || content.isNull()) {
            throw invalid(at, "Field required");
        }
        switch (role) {
            case "developer", "system" -> texts(content, at, false).stream().filter(t -> !t.isEmpty()).forEach(system::add);
            case "user" -> {
                List<PartSource> parts = userParts(content, at, images);
                if (parts.isEmpty()) {
                    throw invalid(at, "must not be empty");
                }
                parts.forEach(s -> add(drafts, Turn.Role.USER, s));
            }
            case "assistant" -> texts(content, at, true).stream().filter(t -> !t.isEmpty())
                    .forEach(t -> add(drafts, Turn.Role.ASSISTANT, ready(new Part.Text(t))));
            default -> throw invalid(where + ".role", "must be one of 'user', 'assistant', 'developer' or 'system'");
        }
    }

    /** The texts of a message that can hold only text: developer, system, assistant (with refusals). */
    private static List<String> texts(Node content, String where, boolean refusals) {
        if (content.text() != null) {
            return List.of(content.text());
        }
        List<String> texts = new ArrayList<>();
        List<Node> parts = parts(content, where);
        for (int j = 0; j < parts.size(); j++) {
            Node part = parts.get(j);
            String at = where + "[" + j + "]";
            String type = text(part, "type", at);
            switch (type) {
                case "input_text", "output_text" -> texts.add(text(part, "text", at));
                case "refusal" -> {
                    if (!refusals) {
                        throw invalid(at + ".type", "'refusal' parts are only allowed in assistant messages");
                    }
                    texts.add(text(part, "refusal", at));
                }
                default -> throw invalid(at + ".type", "only text parts are allowed here, not '" + type + "'");
            }
        }
        return texts;
    }

    /** A user message's or a tool output's parts: texts and images. */
    private static List<PartSource> userParts(Node content, String where, ImageUrls images) {
        if (content.text() != null) {
            return content.text().isEmpty() ? List.of() : List.of(ready(new Part.Text(content.text())));
        }
        List<PartSource> sources = new ArrayList<>();
        List<Node> parts = parts(content, where);
        for (int j = 0; j < parts.size(); j++) {
            Node part = parts.get(j);
            String at = where + "[" + j + "]";
            String type = text(part, "type", at);
            switch (type) {
                case "input_text", "output_text" -> {
                    String text = text(part, "text", at);
                    if (!text.isEmpty()) {
                        sources.add(ready(new Part.Text(text)));
                    }
                }
                case "input_image" -> sources.add(image(part, at, images));
                case "input_file" -> throw invalid(at + ".type", "file inputs are not supported by claude-proxy");
                default -> throw invalid(at + ".type", "content parts of type '" + type + "' are not supported by claude-proxy");
            }
        }
        return sources;
    }

    /** {@code {type:"input_image", image_url, detail?}}; the URL is checked now and fetched later. */
    private static PartSource image(Node part, String where, ImageUrls images) {
        Node fileId = part.get("file_id");
        if (!fileId.isMissing() && !fileId.isNull()) {
            throw invalid(where + ".file_id", "uploaded files are not supported by claude-proxy; "
                    + "send the image as image_url (a data: URL)");
        }
        String url = text(part, "image_url", where);
        ImageUrls.Pending image = images.prepare(url, where + ".image_url");
        return image::get;
    }

    /** {@code {type:"function_call", call_id, name, namespace?, arguments}}. */
    private static Part.ToolCall call(Node item, String where) {
        String callId = text(item, "call_id", where);
        String name = text(item, "name", where);
        Optional<String> namespace = Optional.ofNullable(optionalText(item, "namespace", where));
        return new Part.ToolCall(callId, new FunctionName(namespace, name).flat(),
                OpenAiFields.arguments(item.get("arguments"), where + ".arguments"));
    }

    /** {@code {type:"function_call_output", call_id, output}}: output is a string or text and image parts. */
    private static PartSource output(Node item, String where, ImageUrls images) {
        String callId = text(item, "call_id", where);
        Node output = item.get("output");
        if (output.isMissing() || output.isNull()) {
            throw invalid(where + ".output", "Field required");
        }
        List<PartSource> parts = userParts(output, where + ".output", images);
        return () -> new Part.ToolResult(callId, resolve(parts), false);
    }

    /** The elements of a content array; anything else but a string was refused by the caller's check. */
    private static List<Node> parts(Node content, String where) {
        if (!content.isArray()) {
            throw invalid(where, "must be a string or an array of content parts");
        }
        List<Node> parts = content.elements();
        for (int j = 0; j < parts.size(); j++) {
            if (!parts.get(j).isObject()) {
                throw invalid(where + "[" + j + "]", "must be an object");
            }
        }
        return parts;
    }

    /** Consecutive turns of one role are one turn: tool results and the user's next words go together. */
    private static void add(List<Draft> drafts, Turn.Role role, PartSource part) {
        Draft last = drafts.isEmpty() ? null : drafts.get(drafts.size() - 1);
        if (last != null && last.role() == role) {
            last.parts().add(part);
        } else {
            drafts.add(new Draft(role, new ArrayList<>(List.of(part))));
        }
    }

    private static PartSource ready(Part part) {
        return () -> part;
    }

    /** The string field {@code field} of {@code n}, which must be there. */
    static String text(Node n, String field, String where) {
        if (n.text(field) == null) {
            throw invalid(where + "." + field, n.has(field) && !n.get(field).isNull() ? "must be a string" : "Field required");
        }
        return n.text(field);
    }

    /** The string field {@code field} of {@code n}, or null when it is missing or null. */
    static String optionalText(Node n, String field, String where) {
        Node v = n.get(field);
        if (v.isMissing() || v.isNull()) {
            return null;
        }
        if (v.text() == null) {
            throw invalid(where + "." + field, "must be a string");
        }
        return v.text();
    }
}
