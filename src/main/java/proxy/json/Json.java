package proxy.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one {@link JsonFactory} of the process, and small helpers around it. */
public final class Json {

    /** Arrays and objects within one another, at most. */
    public static final int MAX_NESTING_DEPTH = 128;
    /** Characters of one number, at most. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Characters of one string value, at most: base64 image data is the large case. */
    public static final int MAX_STRING_LENGTH = 40_000_000;
    /** Characters of one object key, at most. */
    public static final int MAX_NAME_LENGTH = 4096;

    /**
     * Thread-safe once built. The limits bound what one request body or one CLI line can make
     * the parser hold: request bodies carry base64 images, so strings may be large.
     */
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Json.MAX_NESTING_DEPTH)
                    .maxNumberLength(Json.MAX_NUMBER_LENGTH)
                    .maxStringLength(Json.MAX_STRING_LENGTH)
                    .maxNameLength(Json.MAX_NAME_LENGTH)
                    .build())
            .build();

    /** Something that writes one JSON value. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private Json() {}

    /** Runs {@code writer} against a fresh generator and returns the UTF-8 bytes. */
    public static byte[] bytes(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** Writes {@code "name": value}, or {@code "name": null} when value is null. */
    public static void stringOrNull(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }
}
