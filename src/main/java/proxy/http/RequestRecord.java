package proxy.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import proxy.chat.CliSource;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.Usage;

/**
 * What the proxy learns about one request while it runs: made when it arrives ({@link InFlight}),
 * filled in by its handler (model, stream, how the CLI was had) and by its reply's events (time
 * to first token, usage, cost), read by the access log, the metrics and the status page once it
 * ends. It never holds prompt or completion text unless the operator asked for bodies in logs.
 *
 * <p>Handlers write from the exchange's thread, and the choices of one request from theirs; the
 * readers come later or from other threads: every field is read and written under the record's lock.
 */
public final class RequestRecord {

    /** The most of a request or reply body a record keeps for the log, in characters. */
    static final int MAX_LOGGED_BODY = 64 * 1024;

    private final String id;
    private final String method;
    private final String path;
    private final String route;
    private final String api;
    private final Instant arrived = Instant.now();
    private final long startNanos = System.nanoTime();
    private final boolean keepBodies;

    private String model;
    private boolean stream;
    private CliSource cli = CliSource.NONE;
    private long firstTokenNanos = -1;
    private long endNanos = -1;
    private int status = -1;
    private Usage usage;
    private String requestBody;
    private StringBuilder replyText;

    RequestRecord(String id, String method, String path, String route, String api, boolean keepBodies) {
        this.id = id;
        this.method = method;
        this.path = path;
        this.route = route;
        this.api = api;
        this.keepBodies = keepBodies;
    }

    /**
     * The record of {@code exchange}; a detached one (read by nobody) for an exchange that did
     * not come through {@link InFlight}, as in handler unit tests.
     */
    public static RequestRecord of(HttpExchange exchange) {
        if (exchange instanceof ObservedExchange observed) {
            return observed.record();
        }
        return new RequestRecord("", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), "", "", false);
    }

    /** What the client asked for, once its body is read. */
    public synchronized void request(String model, boolean stream) {
        this.model = model;
        this.stream = stream;
    }

    public synchronized void cli(CliSource source) {
        if (source != CliSource.NONE) {
            this.cli = source;
        }
    }

    /** Keeps the request body for the log, if the operator asked for bodies in logs. */
    synchronized void body(byte[] body) {
        if (keepBodies) {
            requestBody = clip(new String(body, StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code sink}, with its reply noted here on the way: the time of the first content, the
     * usage and cost it finishes with (summed over a request's choices), and, with bodies in
     * logs, its text.
     */
    public ReplySink observe(ReplySink sink) {
        return new ReplySink() {
            @Override
            public boolean accept(ReplyEvent event) throws IOException {
                noted(event);
                return sink.accept(event);
            }

            @Override
            public boolean quiet() throws IOException {
                return sink.quiet();
            }

            @Override
            public void flush() throws IOException {
                sink.flush();
            }
        };
    }

    private synchronized void noted(ReplyEvent event) {
        switch (event) {
            case ReplyEvent.BlockStarted b -> firstToken();
            case ReplyEvent.TextDelta t -> {
                firstToken();
                if (keepBodies) {
                    replyText = replyText == null ? new StringBuilder() : replyText;
                    if (replyText.length() < MAX_LOGGED_BODY) {
                        replyText.append(t.text());
                    }
                }
            }
            case ReplyEvent.Finished f -> {
                usage = usage == null ? f.usage() : usage.plus(f.usage());
            }
            default -> { }
        }
    }

    private void firstToken() {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
        }
    }

    /** Marks the end of the request with the status it was answered with (-1: none); once. */
    synchronized void end(int status) {
        if (endNanos < 0) {
            endNanos = System.nanoTime();
            this.status = status;
        }
    }

    private static String clip(String text) {
        return text.length() <= MAX_LOGGED_BODY ? text : text.substring(0, MAX_LOGGED_BODY) + "...";
    }

    public String id() {
        return id;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The endpoint as configured ({@code /v1/responses/}, {@code /} for unknown paths): a label of few values. */
    public String route() {
        return route;
    }

    /** Paths a load balancer, a scraper or the status page polls: the proxy watched, not used. */
    private static final Set<String> MONITORING = Set.of("/", "/health", "/metrics", "/status");

    /**
     * Whether this is a health check, a metrics scrape, the status page or its polling: such
     * requests are not listed among the last requests, not counted in flight, and logged at
     * debug when they succeed.
     */
    public boolean monitoring() {
        return method.equals("GET") && MONITORING.contains(path);
    }

    /** {@code anthropic}, {@code openai}, or empty for paths of neither. */
    public String api() {
        return api;
    }

    public Instant arrived() {
        return arrived;
    }

    public synchronized Optional<String> model() {
        return Optional.ofNullable(model);
    }

    public synchronized boolean stream() {
        return stream;
    }

    public synchronized CliSource cli() {
        return cli;
    }

    /** Seconds from arrival to the first content of the reply, if any came. */
    public synchronized Optional<Double> timeToFirstToken() {
        return firstTokenNanos < 0 ? Optional.empty() : Optional.of((firstTokenNanos - startNanos) / 1e9);
    }

    /** Seconds from arrival to the end (to now while it runs). */
    public synchronized double seconds() {
        return ((endNanos < 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
    }

    /** The status answered, -1 if none went out (the client left first). */
    public synchronized int status() {
        return status;
    }

    public synchronized Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    public synchronized Optional<BigDecimal> costUsd() {
        return usage == null ? Optional.empty() : usage.costUsd();
    }

    /** The request body, only when bodies are logged. */
    public synchronized Optional<String> requestBody() {
        return Optional.ofNullable(requestBody);
    }

    /** The reply's text, only when bodies are logged. */
    public synchronized Optional<String> replyText() {
        return replyText == null ? Optional.empty() : Optional.of(clip(replyText.toString()));
    }
}
