package proxy.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import proxy.json.Json;

/**
 * The line the CLI prints most, read without building a tree: a {@code stream_event} carrying
 * a {@code content_block_delta} (a long answer is thousands of them). The streaming parser
 * walks the line once, skipping what a delta does not need; any other line, or one shaped
 * unexpectedly, gives null and is read in full by {@link CliEventReader}, which also reports
 * malformed lines.
 *
 * @param index the upstream block index
 * @param type  the delta type ({@code text_delta}, {@code thinking_delta}, ...)
 * @param value the delta's payload: the field its type names ({@code text}, {@code thinking},
 *              {@code signature} or {@code partial_json}), or null if absent
 */
record DeltaLine(long index, String type, String value) {

    static DeltaLine parse(String line) {
        try (JsonParser p = Json.FACTORY.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            boolean streamEvent = false;
            DeltaLine delta = null;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "type" -> {
                        if (t != JsonToken.VALUE_STRING || !"stream_event".equals(p.getText())) {
                            return null;
                        }
                        streamEvent = true;
                    }
                    case "event" -> {
                        delta = t == JsonToken.START_OBJECT ? event(p) : null;
                        if (delta == null) {
                            return null;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return streamEvent && p.nextToken() == null ? delta : null;
        } catch (IOException e) {
            return null; // the full read says what is wrong with it
        }
    }

    /** The {@code event} object, the parser at its start; null unless it is a well-formed delta. */
    private static DeltaLine event(JsonParser p) throws IOException {
        long index = -1;
        String type = null;
        String deltaType = null;
        String[] fields = new String[4]; // text, thinking, signature, partial_json
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "type" -> {
                    type = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    if (!"content_block_delta".equals(type)) {
                        return null;
                    }
                }
                case "index" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        return null;
                    }
                    index = p.getLongValue();
                }
                case "delta" -> {
                    if (t != JsonToken.START_OBJECT) {
                        return null;
                    }
                    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                        JsonToken v = p.nextToken();
                        int slot = switch (field) {
                            case "text" -> 0;
                            case "thinking" -> 1;
                            case "signature" -> 2;
                            case "partial_json" -> 3;
                            default -> -1;
                        };
                        if (field.equals("type") && v == JsonToken.VALUE_STRING) {
                            deltaType = p.getText();
                        } else if (slot >= 0 && v == JsonToken.VALUE_STRING) {
                            fields[slot] = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (type == null || index < 0 || deltaType == null) {
            return null;
        }
        String value = switch (deltaType) {
            case "text_delta" -> fields[0];
            case "thinking_delta" -> fields[1];
            case "signature_delta" -> fields[2];
            case "input_json_delta" -> fields[3];
            default -> null;
        };
        return new DeltaLine(index, deltaType, value);
    }
}
