package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One id per request, sent back as {@code request-id} (Anthropic) and {@code x-request-id}
 * (OpenAI) so a client's error report can be matched to the log.
 */
public final class RequestIds {

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
        String made = newId("req_");
        exchange.getResponseHeaders().set("request-id", made);
        exchange.getResponseHeaders().set("x-request-id", made);
        return made;
    }

    /**
     * {@code prefix} and 24 random hex digits: request, message and completion ids. They name
     * things and guard nothing, so they come from a per-thread generator: a shared
     * {@code SecureRandom} is one lock that every request of a busy proxy queued on.
     */
    public static String newId(String prefix) {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }
}
