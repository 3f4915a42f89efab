package proxy.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The server's exchange with its {@link RequestRecord} beside it, handed down the filter chain
 * in place of the original (as the JDK's own {@code Filter.adaptRequest} does). The JDK keeps
 * exchange attributes per context, not per exchange, so this is where per-request facts live.
 *
 * <p>One thing it adds to the response: a whole-body answer whose turn had a reported cost
 * carries it as {@value #COST_HEADER}. A stream's headers go out before its cost is known; it
 * reports the cost in its final usage instead.
 */
final class ObservedExchange extends HttpExchange {

    static final String COST_HEADER = "x-claude-proxy-cost-usd";

    private final HttpExchange exchange;
    private final RequestRecord record;

    ObservedExchange(HttpExchange exchange, RequestRecord record) {
        this.exchange = exchange;
        this.record = record;
    }

    RequestRecord record() {
        return record;
    }

    @Override
    public void sendResponseHeaders(int status, long length) throws IOException {
        record.costUsd().ifPresent(cost -> exchange.getResponseHeaders().set(COST_HEADER, cost.toPlainString()));
        exchange.sendResponseHeaders(status, length);
    }

    @Override
    public Headers getRequestHeaders() {
        return exchange.getRequestHeaders();
    }

    @Override
    public Headers getResponseHeaders() {
        return exchange.getResponseHeaders();
    }

    @Override
    public URI getRequestURI() {
        return exchange.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
        return exchange.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return exchange.getHttpContext();
    }

    @Override
    public void close() {
        exchange.close();
    }

    @Override
    public InputStream getRequestBody() {
        return exchange.getRequestBody();
    }

    @Override
    public OutputStream getResponseBody() {
        return exchange.getResponseBody();
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return exchange.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
        return exchange.getResponseCode();
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return exchange.getLocalAddress();
    }

    @Override
    public String getProtocol() {
        return exchange.getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return exchange.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        exchange.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        exchange.setStreams(in, out);
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return exchange.getPrincipal();
    }
}
