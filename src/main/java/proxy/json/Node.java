package proxy.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed JSON value to navigate without null checks: {@code line.get("event").get("delta").text("text")}.
 * A missing field is the {@link #MISSING} node, whose accessors return the defaults. Built by
 * a hand-written token loop over jackson-core; objects keep their key order.
 *
 * <p>Used for CLI output lines, whose key order changes between CLI versions and whose shape
 * is wide but shallow; request bodies are read with their own streaming loops.
 */
public final class Node {

    public static final Node MISSING = new Node(null);

    private final Object value; // Map<String, Node>, List<Node>, String, Number, Boolean, or null

    private Node(Object value) {
        this.value = value;
    }

    /** Parses one complete JSON document; throws on malformed input or trailing content. */
    public static Node parse(String json) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IOException("empty input");
            }
            Node n = read(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON value at " + p.currentLocation().offsetDescription());
            }
            return n;
        }
    }

    /** Reads the value at the parser's current token (and its children). */
    public static Node read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Node> fields = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    p.nextToken();
                    fields.put(name, read(p));
                }
                yield new Node(fields);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p));
                }
                yield new Node(items);
            }
            case VALUE_STRING -> new Node(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Node(p.getNumberValue());
            case VALUE_TRUE -> new Node(Boolean.TRUE);
            case VALUE_FALSE -> new Node(Boolean.FALSE);
            case VALUE_NULL -> new Node(null);
            default -> throw new IOException("unexpected " + t + " at " + p.currentLocation().offsetDescription());
        };
    }

    public boolean isMissing() {
        return this == MISSING;
    }

    public boolean isNull() {
        return value == null;
    }

    public boolean isArray() {
        return value instanceof List;
    }

    public boolean isObject() {
        return value instanceof Map;
    }

    /** The field {@code name} of an object, else {@link #MISSING}. */
    @SuppressWarnings("unchecked")
    public Node get(String name) {
        if (value instanceof Map<?, ?> m) {
            Node n = ((Map<String, Node>) m).get(name);
            return n == null ? MISSING : n;
        }
        return MISSING;
    }

    public boolean has(String name) {
        return !get(name).isMissing();
    }

    /** The elements of an array, else an empty list. */
    @SuppressWarnings("unchecked")
    public List<Node> elements() {
        return value instanceof List<?> l ? (List<Node>) l : Collections.emptyList();
    }

    /** The field values of an object, in order, else an empty list. */
    @SuppressWarnings("unchecked")
    public List<Node> values() {
        return value instanceof Map<?, ?> m ? List.copyOf(((Map<String, Node>) m).values()) : Collections.emptyList();
    }

    /** The string value, or null when this is not a string. */
    public String text() {
        return value instanceof String s ? s : null;
    }

    /** The string field {@code name}, or null. */
    public String text(String name) {
        return get(name).text();
    }

    public long longValue(long otherwise) {
        return value instanceof Number n ? n.longValue() : otherwise;
    }

    /** The number, exactly as written where it can be (a double is taken at its shortest decimal form). */
    public Optional<BigDecimal> decimalValue() {
        return switch (value) {
            case BigDecimal d -> Optional.of(d);
            case Double d when Double.isFinite(d) -> Optional.of(BigDecimal.valueOf(d).stripTrailingZeros());
            case Float f when Float.isFinite(f) -> Optional.of(new BigDecimal(f.toString()));
            case Number n when !(n instanceof Double || n instanceof Float) -> Optional.of(new BigDecimal(n.toString()));
            case null, default -> Optional.empty();
        };
    }

    public boolean isTrue() {
        return Boolean.TRUE.equals(value);
    }

    /** The value written back as compact JSON (e.g. a tool call's input object). */
    public String toJson() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(w)) {
            write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    @SuppressWarnings("unchecked")
    public void write(JsonGenerator g) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<String, Node> e : ((Map<String, Node>) m).entrySet()) {
                    g.writeFieldName(e.getKey());
                    e.getValue().write(g);
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Node n : (List<Node>) l) {
                    n.write(g);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Number n -> g.writeNumber(n.toString());
            default -> throw new IllegalStateException("not a JSON value: " + value.getClass());
        }
    }

    /** The same JSON value: objects compare by their members whatever their order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Node n && java.util.Objects.equals(value, n.value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
