package proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.function.Predicate;
import proxy.cli.CliVersionProbe;
import proxy.http.Exchanges;
import proxy.json.Json;

/**
 * {@code GET /health}: 200 {@code {"status":"ok",...}} when the CLI answers {@code --version},
 * else 503 {@code {"status":"degraded",...}} with the reason in {@code cli.error}, so that a
 * load balancer or a person with curl sees at once why requests would fail.
 *
 * <p>With an API key set, a request without it still gets the status and its HTTP code, but
 * nothing else: the CLI's path, version and error are for those who hold the key.
 */
final class HealthHandler implements HttpHandler {

    private final CliVersionProbe probe;
    private final Predicate<HttpExchange> detailed;

    /** {@code detailed}: whether an exchange may see more than the status (it holds the key, or none is set). */
    HealthHandler(CliVersionProbe probe, Predicate<HttpExchange> detailed) {
        this.probe = probe;
        this.detailed = detailed;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        CliVersionProbe.Status cli = probe.status();
        boolean details = detailed.test(exchange);
        byte[] body = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("status", cli.ok() ? "ok" : "degraded");
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
            g.writeEndObject();
            g.writeEndObject();
        });
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        Exchanges.sendJson(exchange, cli.ok() ? 200 : 503, body);
    }
}
