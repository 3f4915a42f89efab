package proxy.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * CORS for one route, installed only when {@code --cors-origins} names origins. It runs before
 * the API key check because a browser's preflight carries no credentials.
 *
 * <ul>
 * <li>A request whose {@code Origin} is allowed gets {@code Access-Control-Allow-Origin} (that
 *     origin, or {@code *} when any is allowed) and {@code Access-Control-Expose-Headers}, then
 *     goes on to the key check and the route.
 * <li>A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) from an allowed
 *     origin is answered here: 204 with the route's methods, the requested headers, and a
 *     ten-minute max age.
 * <li>A preflight from any other origin is answered 403 without CORS headers, so the browser
 *     sends nothing; other requests from such an origin go on without CORS headers (a browser
 *     then hides the answer from the page).
 * </ul>
 * Every answer says {@code Vary: Origin}, since it depends on that header.
 */
public final class CorsFilter extends Filter {

    private static final System.Logger LOG = System.getLogger(CorsFilter.class.getName());

    /** Headers a page may read: ids for bug reports, and what SDKs decide retries by. */
    static final String EXPOSE = "request-id, x-request-id, retry-after, x-should-retry, x-claude-proxy-ignored, "
            + "x-claude-proxy-cost-usd";

    /** Allowed request headers when a preflight names none: auth, content, and what the SDKs send. */
    static final String ALLOW_HEADERS = "authorization, x-api-key, content-type, anthropic-version, anthropic-beta, "
            + "anthropic-dangerous-direct-browser-access, openai-beta, openai-organization, openai-project, "
            + "x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-runtime, "
            + "x-stainless-runtime-version, x-stainless-retry-count, x-stainless-timeout, x-stainless-helper-method";

    static final String MAX_AGE = "600";

    private final List<String> origins;
    private final boolean any;
    private final String methods;

    /** {@code origins}: exact origins, or {@code *}; {@code methods}: what the route answers. */
    public CorsFilter(List<String> origins, List<String> methods) {
        this.origins = List.copyOf(origins);
        this.any = origins.contains("*");
        this.methods = String.join(", ", methods);
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Headers response = exchange.getResponseHeaders();
        response.add("Vary", "Origin");
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        boolean preflight = exchange.getRequestMethod().equals("OPTIONS")
                && exchange.getRequestHeaders().containsKey("Access-Control-Request-Method");
        if (origin == null) {
            chain.doFilter(exchange);
            return;
        }
        boolean allowed = any || origins.contains(origin);
        if (preflight && (!allowed || methods.isEmpty())) {
            answer(exchange, 403); // no CORS headers: the browser will not send the request
            return;
        }
        if (!allowed) {
            chain.doFilter(exchange);
            return;
        }
        response.set("Access-Control-Allow-Origin", any ? "*" : origin);
        if (!preflight) {
            response.set("Access-Control-Expose-Headers", EXPOSE);
            chain.doFilter(exchange);
            return;
        }
        String requested = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
        response.set("Access-Control-Allow-Methods", methods);
        response.set("Access-Control-Allow-Headers",
                requested == null || requested.isBlank() ? ALLOW_HEADERS : requested.strip());
        response.set("Access-Control-Max-Age", MAX_AGE);
        answer(exchange, 204);
    }

    private static void answer(HttpExchange exchange, int status) {
        try (exchange) {
            exchange.sendResponseHeaders(status, -1); // -1 = no body
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "client went away before the preflight answer: {0}", e.toString());
        }
    }

    @Override
    public String description() {
        return "CORS for " + (any ? "any origin" : String.join(", ", origins));
    }
}
