package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint: an exact path, a handler per method, and the error envelope of the API it
 * belongs to, which the context's {@link ErrorBoundary} answers its errors in. A path it does
 * not serve is a 404, a method it does not answer a 405 with {@code Allow}.
 *
 * <p>{@code HttpServer} matches contexts by prefix, so the route checks the whole path itself:
 * {@code /health/x} is a 404, not a health check.
 */
public final class Route implements HttpHandler {

    private final String path;
    private final boolean prefix;
    private final ErrorEnvelope envelope;
    private final Map<String, HttpHandler> byMethod = new LinkedHashMap<>();

    private Route(String path, boolean prefix, ErrorEnvelope envelope) {
        this.path = path;
        this.prefix = prefix;
        this.envelope = envelope;
    }

    /** A route for exactly {@code path}. */
    public static Route exact(String path, ErrorEnvelope envelope) {
        return new Route(path, false, envelope);
    }

    /** A route for {@code path} and everything below it ({@code /v1/models/} + id). */
    public static Route under(String path, ErrorEnvelope envelope) {
        return new Route(path, true, envelope);
    }

    public Route on(String method, HttpHandler handler) {
        byMethod.put(method, handler);
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String requestPath = requestPath(exchange);
        String method = exchange.getRequestMethod();
        if (!matches(requestPath)) {
            throw HttpError.notFound(method, requestPath);
        }
        HttpHandler handler = byMethod.get(method);
        if (handler == null) {
            throw HttpError.methodNotAllowed(method, requestPath, new ArrayList<>(byMethod.keySet()));
        }
        handler.handle(exchange);
    }

    private boolean matches(String requestPath) {
        return prefix ? requestPath.startsWith(path) && requestPath.length() > path.length() : requestPath.equals(path);
    }

    private static String requestPath(HttpExchange exchange) {
        return exchange.getRequestURI().getRawPath();
    }

    /** The envelope of the API this route belongs to. */
    public ErrorEnvelope envelope() {
        return envelope;
    }

    /** The path this route serves (for {@code createContext}). */
    public String path() {
        return path;
    }

    /** The methods this route answers, for tests and logs. */
    public List<String> methods() {
        return List.copyOf(byMethod.keySet());
    }
}
