package proxy.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import proxy.cli.CliStats;
import proxy.http.Exchanges;
import proxy.http.InFlight;
import proxy.http.RequestRecord;
import proxy.json.Json;

/**
 * {@code GET /status}: what the status page shows, as JSON: the proxy's version and start, the
 * live counters (requests and streams in flight, CLI processes by state, spawns) and the last
 * requests with their access log fields, never their text.
 */
public final class StatusHandler implements HttpHandler {

    public static final String PATH = "/status";

    private final String version;
    private final Instant started = Instant.now();
    private final InFlight inFlight;
    private final Supplier<CliStats> cli;

    public StatusHandler(String version, InFlight inFlight, Supplier<CliStats> cli) {
        this.version = version;
        this.inFlight = inFlight;
        this.cli = cli;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        List<RequestRecord> running = inFlight.running();
        CliStats stats = cli.get();
        byte[] body = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("version", version);
            g.writeStringField("started", started.toString());
            g.writeObjectFieldStart("counters");
            g.writeNumberField("requests_in_flight", running.size());
            g.writeNumberField("streams_in_flight", running.stream().filter(RequestRecord::stream).count());
            g.writeNumberField("cli_running", stats.running());
            g.writeNumberField("cli_spares", stats.spares());
            g.writeNumberField("cli_live", stats.live());
            g.writeNumberField("cli_held", stats.held());
            g.writeNumberField("cli_spawns", stats.spawns());
            g.writeEndObject();
            g.writeArrayFieldStart("recent");
            for (RequestRecord r : inFlight.recent()) {
                g.writeStartObject();
                g.writeStringField("time", r.arrived().toString());
                AccessLog.fields(g, r, false);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        Exchanges.sendJson(exchange, 200, body);
    }
}
