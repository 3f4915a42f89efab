package proxy.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** Small helpers for answering an {@link HttpExchange}. */
public final class Exchanges {

    public static final String JSON = "application/json";

    private Exchanges() {}

    /** Whether the status line has gone out; after that, errors can only be reported in-band. */
    public static boolean responseStarted(HttpExchange exchange) {
        return exchange.getResponseCode() != -1;
    }

    public static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sends {@code error} with its status, the headers clients act on, and the API's envelope. */
    public static void sendError(HttpExchange exchange, HttpError error, ErrorEnvelope envelope) throws IOException {
        Headers h = exchange.getResponseHeaders();
        // SDKs retry 408/429/5xx unless told not to; a failure that cannot change should not rerun the CLI
        h.set("x-should-retry", Boolean.toString(error.kind().retryable()));
        error.retryAfter().ifPresent(d -> h.set("Retry-After", Long.toString(Math.max(1, d.toSeconds()))));
        if (!error.allow().isEmpty()) {
            h.set("Allow", String.join(", ", error.allow()));
        }
        sendJson(exchange, error.status(), envelope.render(error, exchange));
    }
}
