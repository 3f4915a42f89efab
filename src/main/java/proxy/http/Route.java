package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import proxy.chat.ErrorKind;

/**
 * One endpoint: an exact path, a handler per method, and the error envelope of the API it
 * belongs to. It owns the exchange: it closes it on every path, turns {@link HttpError} into
 * the envelope while the status line has not gone out, answers unexpected exceptions with a
 * generic 500 (the stack trace goes to the log, never to the client), and treats a client that
 * hung up as routine.
 *
 * <p>{@code HttpServer} matches contexts by prefix, so the route checks the whole path itself:
 * {@code /health/x} is a 404, not a health check.
 */
public final class Route implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(Route.class.getName());

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

    /** A route that answers every request with 404: the server's catch-all. */
    public static Route notFound(ErrorEnvelope envelope) {
        return new Route(null, false, envelope);
    }

    public Route on(String method, HttpHandler handler) {
        byMethod.put(method, handler);
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try {
            RequestIds.of(exchange);
            dispatch(exchange);
        } catch (HttpError e) {
            answer(exchange, e);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "client went away: {0}", e.toString());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "unexpected failure on " + exchange.getRequestMethod() + " " + requestPath(exchange), e);
            answer(exchange, new HttpError(ErrorKind.INTERNAL, "Internal error; see the proxy log"));
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String requestPath = requestPath(exchange);
        String method = exchange.getRequestMethod();
        if (path == null || !matches(requestPath)) {
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

    private void answer(HttpExchange exchange, HttpError error) {
        if (Exchanges.responseStarted(exchange)) {
            // the handler's stream writer reports in-band; nothing more can be said here
            LOG.log(Level.DEBUG, "error after the response started: {0}", error.getMessage());
            return;
        }
        try {
            Exchanges.sendError(exchange, error, envelope);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "client went away before the error was sent: {0}", e.toString());
        }
    }

    private static String requestPath(HttpExchange exchange) {
        return exchange.getRequestURI().getRawPath();
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
