package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One id per request, sent back as {@code request-id} (Anthropic) and {@code x-request-id}
 * (OpenAI) so a client's error report can be matched to the log.
 */
public final class RequestIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {}

    /**
     * The exchange's id, made and attached as response headers on first use. It is kept in the
     * response headers rather than an exchange attribute because the JDK's exchange attributes
     * are shared by every exchange of the same context.
     */
    public static String of(HttpExchange exchange) {
        String id = exchange.getResponseHeaders().getFirst("request-id");
        if (id != null) {
            return id;
        }
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        String made = "req_" + HexFormat.of().formatHex(bytes);
        exchange.getResponseHeaders().set("request-id", made);
        exchange.getResponseHeaders().set("x-request-id", made);
        return made;
    }
}
