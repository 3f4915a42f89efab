package proxy.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.sun.net.httpserver.HttpExchange;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import proxy.chat.ErrorKind;
import proxy.json.Json;

/**
 * Request bodies: read whole but never past a limit, and parsed with errors that say where.
 *
 * <p>Every failure of the parser on a body already in memory is the client's: a syntax error,
 * a limit of {@link Json#FACTORY} (nesting, number, string or name length), bad UTF-8, or a
 * string holding a lone UTF-16 surrogate (which could never be written to the CLI). Each is a
 * 400 (413 for a string over the size limit), never an {@link IOException} that the route would
 * take for a client that hung up.
 */
public final class Bodies {

    /** Reads one request record from a parser positioned before its first token. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(JsonParser p) throws IOException;
    }

    private Bodies() {}

    /**
     * Parses a JSON body with {@code reader}: bad JSON, or anything after the top-level value,
     * is a 400 naming the line and column (never echoing the body).
     */
    public static <T> T parse(byte[] body, Reader<T> reader) throws IOException {
        JsonParser raw;
        try {
            raw = Json.FACTORY.createParser(body);
        } catch (CharConversionException e) { // an encoding detected from the first bytes, and broken
            throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON: invalid UTF-8 or other encoding: " + e.getMessage());
        }
        try (JsonParser p = new Checked(raw)) {
            T value = reader.read(p);
            if (p.nextToken() != null) {
                throw new HttpError(ErrorKind.INVALID_REQUEST,
                        "Invalid JSON: unexpected content after the request object at " + where(p.currentLocation()));
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw limit(e, raw.currentLocation());
        } catch (CharConversionException e) {
            throw new HttpError(ErrorKind.INVALID_REQUEST,
                    "Invalid JSON: invalid UTF-8 at " + where(raw.currentLocation()) + ": " + e.getMessage());
        } catch (JsonProcessingException e) { // StreamReadException and any other parser complaint
            // jackson appends where an open array or object began; the position above is the one that matters
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", "").strip();
            JsonLocation at = e.getLocation() != null ? e.getLocation() : raw.currentLocation();
            throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON at " + where(at) + ": " + why);
        }
    }

    /** A limit of {@link Json#FACTORY}, said in words; jackson's message names getters, not the problem. */
    private static HttpError limit(StreamConstraintsException e, JsonLocation at) {
        String m = String.valueOf(e.getOriginalMessage());
        String where = " (at " + where(at) + ")";
        if (m.contains("nesting depth")) {
            return new HttpError(ErrorKind.INVALID_REQUEST,
                    "Invalid JSON: nested deeper than " + Json.MAX_NESTING_DEPTH + " levels" + where);
        }
        if (m.contains("Number value length") || m.contains("Number length")) {
            return new HttpError(ErrorKind.INVALID_REQUEST,
                    "Invalid JSON: number longer than " + Json.MAX_NUMBER_LENGTH + " digits" + where);
        }
        if (m.contains("Name length")) {
            return new HttpError(ErrorKind.INVALID_REQUEST,
                    "Invalid JSON: key longer than " + Json.MAX_NAME_LENGTH + " characters" + where);
        }
        if (m.contains("String value length")) {
            return new HttpError(ErrorKind.REQUEST_TOO_LARGE,
                    "Request too large: a string longer than " + Json.MAX_STRING_LENGTH + " characters" + where);
        }
        return new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON: a parser limit was exceeded" + where);
    }

    private static String where(JsonLocation at) {
        return at == null ? "an unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * The most JSON objects one body may hold: its messages, their content parts, tool schemas.
     * The size limit alone would allow millions of tiny ones, each a few hundred bytes of the
     * proxy's memory; a long agent conversation with a dozen tools is a few thousand.
     */
    public static final int MAX_OBJECTS = 100_000;

    /**
     * The parser the readers see: each string and key it reaches is checked for lone
     * surrogates, and objects are counted against {@link #MAX_OBJECTS}.
     */
    private static final class Checked extends JsonParserDelegate {

        private int objects;

        Checked(JsonParser d) {
            super(d);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            return check(super.nextToken());
        }

        @Override
        public JsonToken nextValue() throws IOException {
            return check(super.nextValue());
        }

        private JsonToken check(JsonToken t) throws IOException {
            if (t == JsonToken.START_OBJECT && ++objects > MAX_OBJECTS) {
                throw new HttpError(ErrorKind.REQUEST_TOO_LARGE, "Request too large: more than " + MAX_OBJECTS
                        + " JSON objects (messages, content parts, tool schemas; max_objects) at "
                        + where(delegate.currentTokenLocation()));
            }
            if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
                char[] chars = delegate.getTextCharacters();
                int start = delegate.getTextOffset();
                int end = start + delegate.getTextLength();
                for (int i = start; i < end; i++) {
                    char c = chars[i];
                    if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                        i++;
                    } else if (Character.isSurrogate(c)) {
                        throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON: invalid UTF-8 / lone surrogate "
                                + String.format("U+%04X", (int) c) + " in the "
                                + (t == JsonToken.FIELD_NAME ? "key" : "string") + " at "
                                + where(delegate.currentTokenLocation()));
                    }
                }
            }
            return t;
        }
    }

    /**
     * The most of an over-long body that is read and thrown away before the 413 goes out. Most
     * clients send their whole body before they read an answer; one cut off mid-send gets a
     * reset and never sees the 413. Past this much, it does.
     */
    static final long DISCARD_LIMIT = 256L * 1024 * 1024;

    /**
     * The body, or a 413 when it is longer than {@code limit} bytes. A body declared longer is
     * never buffered: it is read into a small scratch buffer and dropped, so that the client
     * receives the answer (see {@link #DISCARD_LIMIT}). One that turns out longer (chunked) is
     * found without holding more than {@code limit}.
     */
    public static byte[] read(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            if (declaredLength(exchange) > limit) {
                discard(in);
                throw tooLarge(limit);
            }
            byte[] body = in.readNBytes(limit);
            if (body.length == limit && in.read() != -1) {
                discard(in);
                throw tooLarge(limit);
            }
            RequestRecord.of(exchange).body(body);
            return body;
        }
    }

    private static HttpError tooLarge(int limit) {
        return new HttpError(ErrorKind.REQUEST_TOO_LARGE, "Request too large: the body is over "
                + (limit / (1024 * 1024)) + " MB (max_body_bytes " + limit + ")");
    }

    /** The Content-Length the client declared; -1 when none (chunked). The JDK server has checked it is a number. */
    private static long declaredLength(HttpExchange exchange) {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            return declared == null ? -1 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void discard(InputStream in) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long left = DISCARD_LIMIT;
        for (int n; left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0; ) {
            left -= n;
        }
    }
}
