package proxy.http;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;

/**
 * "Answer with this status": thrown anywhere below a handler, rendered by the API the request
 * came in on. The message is shown to the client, so it never holds internals or prompt text.
 */
public final class HttpError extends RuntimeException {

    private final ErrorKind kind;
    private final String param;
    private final String code;
    private final Duration retryAfter;
    private final List<String> allow;

    private HttpError(ErrorKind kind, String message, String param, String code, Duration retryAfter, List<String> allow) {
        super(message, null, false, false); // no stack trace: this is an answer, not a bug
        this.kind = kind;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
        this.allow = allow;
    }

    public HttpError(ErrorKind kind, String message) {
        this(kind, message, null, null, null, List.of());
    }

    /** The answer for a reply that failed before anything was sent. */
    public static HttpError of(ReplyEvent.Failed failed) {
        return new HttpError(failed.kind(), failed.message(), null, null, failed.retryAfter().orElse(null), List.of());
    }

    public static HttpError notFound(String method, String path) {
        return new HttpError(ErrorKind.NOT_FOUND, "Invalid URL (" + method + " " + path + ")");
    }

    public static HttpError methodNotAllowed(String method, String path, List<String> allow) {
        return new HttpError(ErrorKind.METHOD_NOT_ALLOWED,
                "Method " + method + " is not allowed on " + path + "; use " + String.join(", ", allow),
                null, null, null, List.copyOf(allow));
    }

    /** The same error naming the request field it is about (OpenAI's {@code param}). */
    public HttpError withParam(String param) {
        return new HttpError(kind, getMessage(), param, code, retryAfter, allow);
    }

    /** The same error with a machine-readable code (OpenAI's {@code code}, e.g. {@code model_not_found}). */
    public HttpError withCode(String code) {
        return new HttpError(kind, getMessage(), param, code, retryAfter, allow);
    }

    public HttpError withRetryAfter(Duration retryAfter) {
        return new HttpError(kind, getMessage(), param, code, retryAfter, allow);
    }

    public ErrorKind kind() {
        return kind;
    }

    public int status() {
        return kind.status();
    }

    public Optional<String> param() {
        return Optional.ofNullable(param);
    }

    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Methods for the {@code Allow} header of a 405; empty otherwise. */
    public List<String> allow() {
        return allow;
    }
}
