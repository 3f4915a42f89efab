package proxy.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import proxy.cli.CliStats;
import proxy.http.InFlight;

/** {@code GET /metrics}: the {@link Metrics} in the Prometheus text format. */
public final class MetricsHandler implements HttpHandler {

    public static final String PATH = "/metrics";

    private final Metrics metrics;
    private final InFlight inFlight;
    private final Supplier<CliStats> cli;

    public MetricsHandler(Metrics metrics, InFlight inFlight, Supplier<CliStats> cli) {
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.cli = cli;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = metrics.render(cli.get(), inFlight.running()).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", Exposition.CONTENT_TYPE);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
