package proxy.http;

import com.sun.net.httpserver.HttpExchange;

/** How one API spells an error body (OpenAI's {@code {"error":{...}}}, Anthropic's {@code {"type":"error",...}}). */
@FunctionalInterface
public interface ErrorEnvelope {

    /** The body for {@code error}, answering {@code exchange} (whose request-id is already set). */
    byte[] render(HttpError error, HttpExchange exchange);
}
