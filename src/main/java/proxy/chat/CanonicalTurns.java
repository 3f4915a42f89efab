package proxy.chat;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import proxy.json.Json;
import proxy.json.Node;

/**
 * Turns in the form clients echo them back, for deciding whether a client's history is the one
 * a kept CLI process already holds. Two histories that differ only in ways clients change when
 * they send a reply back compare equal:
 * <ul>
 * <li>reasoning is dropped (OpenAI clients never send it back; Anthropic clients may);
 * <li>the text parts between two other parts are one text, each piece trimmed, joined by a
 *     blank line (an OpenAI reply joins the blocks of an Anthropic one that way);
 * <li>consecutive turns of one role are one turn (the CLI merges them too);
 * <li>tool-call arguments are compared as compact JSON, not as text with its spacing.
 * </ul>
 * Anything else (an edited word, another image, a tool result) makes the histories differ.
 */
public final class CanonicalTurns {

    private CanonicalTurns() {}

    public static List<Turn> of(List<Turn> turns) {
        List<Turn> out = new ArrayList<>();
        for (Turn turn : turns) {
            List<Part> parts = parts(turn.parts());
            int last = out.size() - 1;
            if (last >= 0 && out.get(last).role() == turn.role()) {
                List<Part> merged = new ArrayList<>(out.get(last).parts());
                merged.addAll(parts);
                out.set(last, new Turn(turn.role(), parts(merged)));
            } else {
                out.add(new Turn(turn.role(), parts));
            }
        }
        return List.copyOf(out);
    }

    private static List<Part> parts(List<Part> parts) {
        List<Part> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Part.Text t -> {
                    String piece = t.text().strip();
                    if (!piece.isEmpty()) {
                        text.append(text.isEmpty() ? "" : "\n\n").append(piece);
                    }
                }
                case Part.Thinking t -> { }
                case Part.RedactedThinking r -> { }
                case Part.Image i -> out.add(flushText(text, out, i));
                case Part.ToolCall c -> out.add(flushText(text, out,
                        new Part.ToolCall(c.id(), c.name(), normalJson(c.inputJson()))));
                case Part.ToolResult r -> out.add(flushText(text, out,
                        new Part.ToolResult(r.toolCallId(), parts(r.content()), r.isError())));
            }
        }
        if (!text.isEmpty()) {
            out.add(new Part.Text(text.toString()));
        }
        return List.copyOf(out);
    }

    /** Adds the text gathered so far to {@code out} and returns {@code next}, the part after it. */
    private static Part flushText(StringBuilder text, List<Part> out, Part next) {
        if (!text.isEmpty()) {
            out.add(new Part.Text(text.toString()));
            text.setLength(0);
        }
        return next;
    }

    /**
     * A SHA-256 digest of the canonical form of {@code turns}, in hex: equal for histories that
     * {@link #of} makes equal, and small enough to keep for every kept conversation where the
     * history itself (images included) could be megabytes.
     */
    public static String digest(List<Turn> turns) {
        byte[] canonical = Json.bytes(g -> {
            g.writeStartArray();
            for (Turn turn : of(turns)) {
                g.writeStartObject();
                g.writeStringField("role", turn.role().wireName());
                g.writeFieldName("parts");
                writeParts(g, turn.parts());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Canonical parts as JSON, each field written unambiguously. */
    private static void writeParts(JsonGenerator g, List<Part> parts) throws IOException {
        g.writeStartArray();
        for (Part part : parts) {
            g.writeStartObject();
            switch (part) {
                case Part.Text t -> g.writeStringField("text", t.text());
                case Part.Image i -> {
                    g.writeStringField("image", i.mediaType());
                    g.writeStringField("data", i.data());
                }
                case Part.ToolCall c -> {
                    g.writeStringField("call", c.id());
                    g.writeStringField("name", c.name());
                    g.writeStringField("input", c.inputJson());
                }
                case Part.ToolResult r -> {
                    g.writeStringField("result", r.toolCallId());
                    g.writeBooleanField("error", r.isError());
                    g.writeFieldName("content");
                    writeParts(g, r.content());
                }
                case Part.Thinking t -> { } // not in a canonical form
                case Part.RedactedThinking r -> { }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Arguments JSON re-written compactly; as given if it is not JSON. */
    private static String normalJson(String json) {
        if (json.isBlank()) {
            return "{}";
        }
        try {
            return Node.parse(json).toJson();
        } catch (IOException | RuntimeException e) {
            return json;
        }
    }
}
