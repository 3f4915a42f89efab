package proxy.observe;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import proxy.chat.CliSource;
import proxy.chat.Usage;
import proxy.cli.CliStats;
import proxy.http.RequestRecord;

/**
 * The proxy's counters for {@code GET /metrics}, fed by one filter on every context from each
 * request's {@link RequestRecord} once it has ended. Labels take few values: the route as
 * configured (not the raw path), the method, the status, the API, the client's model name
 * (only models that ran: unknown names are answered 404 before), how the CLI was had.
 */
public final class Metrics {

    private record RequestKey(String route, String method, String status) {}

    private record TokenKey(String model, String type) {}

    private final Map<RequestKey, LongAdder> requests = new ConcurrentSkipListMap<>(
            Comparator.comparing(RequestKey::route).thenComparing(RequestKey::method).thenComparing(RequestKey::status));
    private final Map<String, Histogram> durations = new ConcurrentSkipListMap<>();
    private final Map<String, Histogram> firstTokens = new ConcurrentSkipListMap<>();
    private final Map<TokenKey, LongAdder> tokens = new ConcurrentSkipListMap<>(
            Comparator.comparing(TokenKey::model).thenComparing(TokenKey::type));
    private final Map<String, DoubleAdder> costs = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> cliSources = new ConcurrentHashMap<>();

    /** The filter that counts each request of a context once it has ended. */
    public Filter filter() {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                try {
                    chain.doFilter(exchange);
                } finally {
                    count(RequestRecord.of(exchange));
                }
            }

            @Override
            public String description() {
                return "metrics";
            }
        };
    }

    void count(RequestRecord r) {
        String status = r.status() < 0 ? "none" : Integer.toString(r.status());
        requests.computeIfAbsent(new RequestKey(r.route(), r.method(), status), k -> new LongAdder()).increment();
        durations.computeIfAbsent(r.route(), k -> new Histogram()).observe(r.seconds());
        r.timeToFirstToken().ifPresent(t -> firstTokens.computeIfAbsent(r.api(), k -> new Histogram()).observe(t));
        if (r.cli() != CliSource.NONE) {
            cliSources.computeIfAbsent(r.cli().label(), k -> new LongAdder()).increment();
        }
        String model = r.model().orElse("");
        r.usage().ifPresent(u -> addTokens(model, u));
        r.costUsd().ifPresent(c -> costs.computeIfAbsent(model, k -> new DoubleAdder()).add(c.doubleValue()));
    }

    private void addTokens(String model, Usage u) {
        add(model, "input", u.inputTokens());
        add(model, "output", u.outputTokens());
        add(model, "cache_read", u.cacheReadInputTokens());
        add(model, "cache_creation", u.cacheCreationInputTokens());
    }

    private void add(String model, String type, long n) {
        tokens.computeIfAbsent(new TokenKey(model, type), k -> new LongAdder()).add(n);
    }

    /** Every metric, with the engine's and the running requests' gauges as they are now. */
    String render(CliStats cli, List<RequestRecord> running) {
        Exposition out = new Exposition();
        out.metric("claude_proxy_requests_total", "counter", "Requests answered, by route, method and status (none: the client left first).");
        requests.forEach((k, v) -> out.sample("claude_proxy_requests_total",
                Exposition.label("route", k.route()) + "," + Exposition.label("method", k.method()) + ","
                        + Exposition.label("status", k.status()), v.sum()));
        out.metric("claude_proxy_request_duration_seconds", "histogram", "Time from a request's arrival to its end, by route.");
        durations.forEach((route, h) -> h.write(out, "claude_proxy_request_duration_seconds", Exposition.label("route", route)));
        out.metric("claude_proxy_time_to_first_token_seconds", "histogram",
                "Time from a request's arrival to the first content of its reply, by API.");
        firstTokens.forEach((api, h) -> h.write(out, "claude_proxy_time_to_first_token_seconds", Exposition.label("api", api)));
        out.metric("claude_proxy_requests_in_flight", "gauge", "Requests being handled now.");
        out.sample("claude_proxy_requests_in_flight", "", running.size());
        out.metric("claude_proxy_streams_in_flight", "gauge", "Streamed replies being sent now.");
        out.sample("claude_proxy_streams_in_flight", "", running.stream().filter(RequestRecord::stream).count());
        out.metric("claude_proxy_tokens_total", "counter", "Tokens of finished replies as the CLI reported them, by model and type.");
        tokens.forEach((k, v) -> out.sample("claude_proxy_tokens_total",
                Exposition.label("model", k.model()) + "," + Exposition.label("type", k.type()), v.sum()));
        out.metric("claude_proxy_cost_usd_total", "counter", "Cost of finished turns as the CLI reported it, by model.");
        costs.forEach((model, v) -> out.sample("claude_proxy_cost_usd_total", Exposition.label("model", model), v.sum()));
        out.metric("claude_proxy_cli_acquired_total", "counter",
                "Replies by how their CLI was had: pooled (a spare), live (kept from the previous turn), "
                        + "held (answering its tool calls), cold (started for the request).");
        for (String source : new String[] {"pooled", "live", "held", "cold"}) {
            LongAdder n = cliSources.get(source);
            out.sample("claude_proxy_cli_acquired_total", Exposition.label("source", source), n == null ? 0 : n.sum());
        }
        out.metric("claude_proxy_cli_spawns_total", "counter", "CLI processes started, spares included.");
        out.sample("claude_proxy_cli_spawns_total", "", cli.spawns());
        out.metric("claude_proxy_cli_ended_total", "counter", "CLI processes ended by the proxy, by reason.");
        cli.ended().forEach((reason, n) -> out.sample("claude_proxy_cli_ended_total", Exposition.label("reason", reason), n));
        out.metric("claude_proxy_cli_processes", "gauge", "CLI processes now, by state.");
        out.sample("claude_proxy_cli_processes", Exposition.label("state", "spare"), cli.spares());
        out.sample("claude_proxy_cli_processes", Exposition.label("state", "live"), cli.live());
        out.sample("claude_proxy_cli_processes", Exposition.label("state", "held"), cli.held());
        out.sample("claude_proxy_cli_processes", Exposition.label("state", "running"), cli.running());
        return out.toString();
    }
}
