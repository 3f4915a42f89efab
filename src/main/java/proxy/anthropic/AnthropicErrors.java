package proxy.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import proxy.chat.ErrorKind;
import proxy.http.ErrorEnvelope;
import proxy.http.HttpError;
import proxy.http.RequestIds;
import proxy.json.Json;

/**
 * The Anthropic error envelope, {@code {"type":"error","error":{"type","message"},"request_id"}}:
 * a body for errors before the stream starts, an {@code event: error} frame after.
 */
public final class AnthropicErrors {

    public static final ErrorEnvelope ENVELOPE = AnthropicErrors::render;

    private AnthropicErrors() {}

    static byte[] render(HttpError error, HttpExchange exchange) {
        String requestId = RequestIds.of(exchange);
        return Json.bytes(g -> write(g, error.kind(), error.getMessage(), requestId));
    }

    /** The error object; also the data of an in-stream {@code error} event. */
    static void write(JsonGenerator g, ErrorKind kind, String message, String requestId) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "error");
        g.writeObjectFieldStart("error");
        g.writeStringField("type", type(kind));
        g.writeStringField("message", message);
        g.writeEndObject();
        g.writeStringField("request_id", requestId);
        g.writeEndObject();
    }

    /**
     * The API's error types (api-contract.md §1.6); every other 4xx is an invalid request. A
     * third-party refusal keeps {@code invalid_request_error}: it is what the API itself sends
     * for it, and clients that switch on the type know no other; the message names it.
     */
    static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, METHOD_NOT_ALLOWED, THIRD_PARTY_REFUSED -> "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case REQUEST_TOO_LARGE -> "request_too_large";
            case RATE_LIMITED -> "rate_limit_error";
            case TIMEOUT -> "timeout_error";
            case OVERLOADED -> "overloaded_error";
            case INTERNAL, BAD_GATEWAY, UNAVAILABLE -> "api_error";
        };
    }
}
