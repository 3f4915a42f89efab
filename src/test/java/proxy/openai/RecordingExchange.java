package proxy.openai;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An exchange that keeps what a response writer sends, so a {@link ChatStream} can be fed reply
 * events directly, on the test's thread, and its body read back as text. Only the response side
 * works; a stream writer needs nothing else.
 */
final class RecordingExchange extends HttpExchange {

    private final Headers responseHeaders = new Headers();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status = -1;

    /** The body sent so far, as text. */
    String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) {
        if (status != -1) {
            throw new IllegalStateException("headers sent twice");
        }
        status = rCode;
    }

    @Override
    public OutputStream getResponseBody() {
        return body;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public Headers getRequestHeaders() {
        return new Headers();
    }

    @Override
    public URI getRequestURI() {
        return URI.create("/v1/chat/completions");
    }

    @Override
    public String getRequestMethod() {
        return "POST";
    }

    @Override
    public HttpContext getHttpContext() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }

    @Override
    public InputStream getRequestBody() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return new InetSocketAddress("127.0.0.1", 2);
    }

    @Override
    public String getProtocol() {
        return "HTTP/1.1";
    }

    @Override
    public Object getAttribute(String name) {
        return null;
    }

    @Override
    public void setAttribute(String name, Object value) {
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        throw new UnsupportedOperationException();
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }
}
