package proxy.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import proxy.chat.ErrorKind;
import proxy.json.Json;

/** Request bodies: read whole but never past a limit, and parsed with errors that say where. */
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
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            T value = reader.read(p);
            if (p.nextToken() != null) {
                throw new HttpError(ErrorKind.INVALID_REQUEST,
                        "Invalid JSON: unexpected content after the request object at " + where(p.currentLocation()));
            }
            return value;
        } catch (StreamReadException e) {
            // jackson appends where an open array or object began; the position above is the one that matters
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", "").strip();
            throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON at " + where(e.getLocation()) + ": " + why);
        }
    }

    private static String where(JsonLocation at) {
        return at == null ? "an unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /** The body, or a 413 when it is longer than {@code limit} bytes (found without reading more than that). */
    public static byte[] read(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit);
            if (body.length == limit && in.read() != -1) {
                throw new HttpError(ErrorKind.REQUEST_TOO_LARGE,
                        "Request too large: the body is over " + (limit / (1024 * 1024)) + " MB");
            }
            return body;
        }
    }
}
