package proxy.http;

/** How one API spells an error body (OpenAI's {@code {"error":{...}}}, Anthropic's {@code {"type":"error",...}}). */
@FunctionalInterface
public interface ErrorEnvelope {
    byte[] render(HttpError error, String requestId);
}
