package proxy.openai;

import com.sun.net.httpserver.HttpExchange;
import proxy.chat.ErrorKind;
import proxy.http.ErrorEnvelope;
import proxy.http.HttpError;
import proxy.json.Json;

/**
 * The OpenAI error envelope, {@code {"error":{"message","type","param","code"}}}, always with
 * all four keys (the Python SDK's {@code ErrorObject}). Also the envelope of paths that belong
 * to no API, since most clients pointed at a base URL are OpenAI clients.
 */
public final class OpenAiErrors {

    public static final ErrorEnvelope ENVELOPE = OpenAiErrors::render;

    private OpenAiErrors() {}

    static byte[] render(HttpError error, HttpExchange exchange) {
        return render(error.kind(), error.getMessage(), error.param().orElse(null), error.code().orElse(null));
    }

    /** An error object for a stream that has already started. */
    static byte[] render(ErrorKind kind, String message) {
        return render(kind, message, null, null);
    }

    private static byte[] render(ErrorKind kind, String message, String param, String given) {
        String code = given != null ? given : code(kind);
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type(kind));
            Json.stringOrNull(g, "param", param);
            Json.stringOrNull(g, "code", code);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, REQUEST_TOO_LARGE, AUTHENTICATION, THIRD_PARTY_REFUSED ->
                    "invalid_request_error";
            case PERMISSION -> "permission_error";
            case RATE_LIMITED -> "rate_limit_error";
            case TIMEOUT -> "timeout_error";
            case INTERNAL, BAD_GATEWAY, UNAVAILABLE, OVERLOADED -> "server_error";
        };
    }

    /**
     * The {@code code} a kind has of its own, when the error does not bring one: OpenAI's codes
     * are open-ended strings ({@code model_not_found}, {@code context_length_exceeded}), so a
     * name of our own breaks no client, and it lets one tell a third-party refusal from a
     * malformed request, which share status and type.
     */
    static String code(ErrorKind kind) {
        return kind == ErrorKind.THIRD_PARTY_REFUSED ? "third_party_app_refused" : null;
    }
}
