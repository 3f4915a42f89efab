package proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.function.Predicate;
import proxy.cli.CliCredentials;
import proxy.cli.CliVersionProbe;
import proxy.http.Exchanges;
import proxy.json.Json;

/**
 * {@code GET /health}: 200 {@code {"status":"ok",...}} when the CLI answers {@code --version},
 * else 503 {@code {"status":"degraded",...}} with the reason in {@code cli.error}, so that a
 * load balancer or a person with curl sees at once why requests would fail. A working CLI with
 * nothing to log in with is 200 {@code {"status":"no_credentials",...}}: the proxy itself is
 * fine and a login needs no restart, so a load balancer keeps it, but a person sees why every
 * request fails with 401 ({@code cli.warning} says what to do). {@code cli.credentials} names
 * what the CLI logs in with (a variable's name or the login file; never a secret), or is null.
 *
 * <p>With an API key set, a request without it still gets the status and its HTTP code, but
 * nothing else: the CLI's path, version and error are for those who hold the key.
 */
final class HealthHandler implements HttpHandler {

    private final CliVersionProbe probe;
    private final Predicate<HttpExchange> detailed;
    private final String claude;

    /** {@code detailed}: whether an exchange may see more than the status (it holds the key, or none is set). */
    HealthHandler(CliVersionProbe probe, Predicate<HttpExchange> detailed) {
        this.probe = probe;
        this.detailed = detailed;
        this.claude = probe.claude();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        CliVersionProbe.Status cli = probe.status();
        boolean details = detailed.test(exchange);
        boolean noCredentials = cli.credentials().isEmpty();
        byte[] body = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("status", !cli.ok() ? "degraded" : noCredentials ? "no_credentials" : "ok");
            if (!details) {
                g.writeEndObject();
                return;
            }
            g.writeStringField("version", Version.VALUE);
            g.writeObjectFieldStart("cli");
            g.writeStringField("path", cli.path());
            Json.stringOrNull(g, "version", cli.version().orElse(null));
            g.writeBooleanField("ok", cli.ok());
            if (cli.error().isPresent()) {
                g.writeStringField("error", cli.error().get());
            }
            Json.stringOrNull(g, "credentials", cli.credentials().orElse(null));
            if (cli.ok() && noCredentials) {
                g.writeStringField("warning", "The Claude CLI has no credentials, so requests fail with 401: "
                        + CliCredentials.advice(claude) + ".");
            }
            g.writeEndObject();
            g.writeEndObject();
        });
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        Exchanges.sendJson(exchange, cli.ok() ? 200 : 503, body);
    }
}
