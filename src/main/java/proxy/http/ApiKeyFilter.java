package proxy.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import proxy.chat.ErrorKind;
import proxy.config.Config;

/**
 * Lets a request through only if it carries the proxy's API key, as {@code Authorization: Bearer KEY}
 * (OpenAI SDKs, new Anthropic SDKs) or {@code x-api-key: KEY} (older Anthropic SDKs, the Claude
 * CLI); either header will do. Anything else is a 401 in the route's envelope (thrown to the
 * context's {@link ErrorBoundary}), with {@code x-should-retry: false}, and never reaches the route.
 *
 * <p>Keys are compared with {@link MessageDigest#isEqual}, whose time does not depend on where
 * the bytes differ. The key is never logged, and never echoed in an answer.
 */
public final class ApiKeyFilter extends Filter {

    private static final System.Logger LOG = System.getLogger(ApiKeyFilter.class.getName());

    /** Whose wording the 401 uses. */
    public enum Api {
        /** Anthropic's {@code authentication_error}. */
        ANTHROPIC,
        /** OpenAI's {@code invalid_api_key}. */
        OPENAI,
        /** Paths both APIs share: Anthropic's if the request has {@code anthropic-version}, as {@code ClientEnvelope} decides. */
        EITHER
    }

    private final byte[] key;
    private final Api api;
    private final String openPath;

    public ApiKeyFilter(Config.ApiKey key, Api api) {
        this(key, api, null);
    }

    /** {@code openPath}: the one path of the context that needs no key (the status page at {@code /}), or null. */
    public ApiKeyFilter(Config.ApiKey key, Api api, String openPath) {
        this.key = key.value().getBytes(StandardCharsets.UTF_8);
        this.api = api;
        this.openPath = openPath;
    }

    /** Whether {@code exchange} carries {@code key} in either header. */
    public static boolean carries(HttpExchange exchange, Config.ApiKey key) {
        return carries(exchange, key.value().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean carries(HttpExchange exchange, byte[] key) {
        String bearer = exchange.getRequestHeaders().getFirst("Authorization");
        String apiKey = exchange.getRequestHeaders().getFirst("x-api-key");
        boolean ok = false;
        // both are checked, so the time taken does not tell which header was tried
        if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ok |= matches(key, bearer.substring(7).strip());
        }
        if (apiKey != null) {
            ok |= matches(key, apiKey.strip());
        }
        return ok;
    }

    private static boolean matches(byte[] key, String candidate) {
        return MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (!carries(exchange, key) && !exchange.getRequestURI().getRawPath().equals(openPath)) {
            LOG.log(Level.DEBUG, "401 for {0} {1}: no or wrong API key", exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath());
            throw refusal(exchange); // the error boundary answers it in the route's envelope
        }
        chain.doFilter(exchange);
    }

    private HttpError refusal(HttpExchange exchange) {
        boolean anthropic = switch (api) {
            case ANTHROPIC -> true;
            case OPENAI -> false;
            case EITHER -> exchange.getRequestHeaders().containsKey("anthropic-version");
        };
        // the wording of each upstream API (api-contract.md §1.6, §2); Anthropic's envelope has no code
        return anthropic
                ? new HttpError(ErrorKind.AUTHENTICATION, "invalid x-api-key")
                : new HttpError(ErrorKind.AUTHENTICATION, "Incorrect API key provided.").withCode("invalid_api_key");
    }

    @Override
    public String description() {
        return "API key check";
    }
}
