package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import proxy.chat.ErrorKind;

/** Request bodies, read whole but never past a limit. */
public final class Bodies {

    private Bodies() {}

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
