package proxy.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import proxy.chat.ErrorKind;

/**
 * Where every failure below it ends, in the envelope of the API the context belongs to. It owns
 * the exchange from here on and closes it on every path.
 * <ul>
 * <li>{@link HttpError} ("answer with this status") becomes the error body while the status
 *     line has not gone out; after that the handler's stream has said it in-band.
 * <li>An {@link IOException} is the client gone: routine, logged at debug.
 * <li>Anything else is the proxy failing: a generic 500 naming the request id, the stack trace
 *     in the log only, never in the answer.
 * </ul>
 */
public final class ErrorBoundary extends Filter {

    private static final System.Logger LOG = System.getLogger(ErrorBoundary.class.getName());

    private final ErrorEnvelope envelope;

    public ErrorBoundary(ErrorEnvelope envelope) {
        this.envelope = envelope;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) {
        try {
            chain.doFilter(exchange);
        } catch (HttpError e) {
            answer(exchange, e);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "client went away: {0}", e.toString());
        } catch (RuntimeException e) {
            String id = RequestIds.of(exchange);
            LOG.log(Level.ERROR, "unexpected failure of " + id + " (" + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI().getRawPath() + ")", e);
            answer(exchange, new HttpError(ErrorKind.INTERNAL, "Internal error (request " + id + "); see the proxy log"));
        } finally {
            exchange.close();
            RequestRecord.of(exchange).end(exchange.getResponseCode());
        }
    }

    private void answer(HttpExchange exchange, HttpError error) {
        if (Exchanges.responseStarted(exchange)) {
            LOG.log(Level.DEBUG, "error after the response started: {0}", error.getMessage());
            return;
        }
        try {
            Exchanges.sendError(exchange, error, envelope);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "client went away before the error was sent: {0}", e.toString());
        }
    }

    @Override
    public String description() {
        return "error boundary";
    }
}
