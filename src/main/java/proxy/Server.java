package proxy;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import proxy.cli.CliEngine;
import proxy.cli.CliVersionProbe;
import proxy.config.Config;
import proxy.http.ApiKeyFilter;
import proxy.http.CorsFilter;
import proxy.http.ErrorBoundary;
import proxy.http.ImageUrls;
import proxy.http.InFlight;
import proxy.http.Route;
import proxy.observe.AccessLog;
import proxy.observe.Metrics;
import proxy.observe.MetricsHandler;
import proxy.observe.StatusHandler;
import proxy.observe.StatusPage;
import proxy.openai.ChatCompletionsHandler;
import proxy.openai.OpenAiErrors;
import proxy.responses.ResponsesHandler;
import proxy.anthropic.AnthropicErrors;
import proxy.anthropic.CountTokensHandler;
import proxy.anthropic.MessagesHandler;

/**
 * Wiring only: one {@link HttpServer}, a virtual thread per exchange, one route per endpoint.
 * Owns the HTTP server, its executor, the CLI engine, the image fetcher and the private
 * working directory; {@link #close} releases them all.
 */
public final class Server implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Server.class.getName());

    /** How long {@link #close} lets running exchanges finish before the server drops them. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final HttpServer http;
    private final ExecutorService executor;
    private final WorkDir workDir;
    private final CliEngine engine;
    private final InFlight inFlight;
    private final ImageUrls images;

    private Server(HttpServer http, ExecutorService executor, WorkDir workDir, CliEngine engine, InFlight inFlight,
            ImageUrls images) {
        this.images = images;
        this.http = http;
        this.executor = executor;
        this.workDir = workDir;
        this.engine = engine;
        this.inFlight = inFlight;
    }

    /** Binds, starts serving, and prints the line tests and scripts wait for. */
    public static Server start(Config config, PrintStream out) throws IOException {
        limitConnections(config.connections());
        WorkDir workDir = WorkDir.of(config.cwd());
        CliEngine engine;
        HttpServer http;
        try {
            engine = new CliEngine(config, workDir.path());
        } catch (IOException | RuntimeException e) {
            workDir.close();
            throw e;
        }
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        } catch (IOException | RuntimeException e) {
            engine.close();
            workDir.close();
            throw e;
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        http.setExecutor(executor);

        InFlight inFlight = new InFlight(config.logging().bodies());
        ImageUrls images = new ImageUrls(config.fetchImages());
        wire(http, inFlight, config, engine, images);

        http.start();
        Server server = new Server(http, executor, workDir, engine, inFlight, images);
        LOG.log(Level.INFO, "CLI working directory: {0}{1}", workDir.path(), config.cwd().isEmpty() ? " (private)" : "");
        out.println("claude-proxy listening on " + server.baseUri());
        out.flush();
        return server;
    }

    /**
     * Sets the JDK server's own limits on client connections. It reads them once per JVM, when
     * its first server starts, and they apply to every server of the JVM (the tool server too,
     * whose requests are small and whole). A request that has not arrived whole by the
     * deadline has its connection closed, so a client sending byte by byte holds neither a
     * thread nor a CLI. There is no limit on the time a response takes: streams run long.
     */
    private static void limitConnections(Config.Connections limits) {
        // whole seconds: the JDK's unit; at least one
        System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, limits.requestTimeout().toSeconds())));
        System.setProperty("jdk.httpserver.maxConnections", Integer.toString(limits.max()));
        System.setProperty("sun.net.httpserver.maxReqHeaders", Integer.toString(limits.maxHeaders()));
        System.setProperty("sun.net.httpserver.maxReqHeaderSize", Integer.toString(limits.maxHeaderBytes()));
    }

    /**
     * Every endpoint, each with the error envelope of the API it belongs to, behind the same
     * filters ({@link Access#context}). {@code /health} is the one route without the key check;
     * without the key it says only its status.
     */
    private static void wire(HttpServer http, InFlight inFlight, Config config, CliEngine engine, ImageUrls images) {
        Metrics metrics = new Metrics();
        Access access = new Access(http, inFlight, new AccessLog(), metrics, config.access());
        HealthHandler health = new HealthHandler(new CliVersionProbe(config.claude(), config.env()), access::holdsKey);
        MessagesHandler messages = new MessagesHandler(engine, images);
        ChatCompletionsHandler chat = new ChatCompletionsHandler(engine, config, images);
        ModelsHandler models = new ModelsHandler(config.models());
        ResponsesHandler responses = new ResponsesHandler(engine, config, images);
        access.open(Route.exact("/health", ClientEnvelope.INSTANCE).on("GET", health));
        access.route(ApiKeyFilter.Api.EITHER, Route.exact(MetricsHandler.PATH, ClientEnvelope.INSTANCE)
                .on("GET", new MetricsHandler(metrics, inFlight, engine::stats)));
        access.route(ApiKeyFilter.Api.EITHER, Route.exact(StatusHandler.PATH, ClientEnvelope.INSTANCE)
                .on("GET", new StatusHandler(Version.VALUE, inFlight, engine::stats)));
        access.route(ApiKeyFilter.Api.ANTHROPIC, Route.exact("/v1/messages", AnthropicErrors.ENVELOPE).on("POST", messages));
        access.route(ApiKeyFilter.Api.ANTHROPIC, Route.exact("/v1/messages/count_tokens", AnthropicErrors.ENVELOPE)
                .on("POST", new CountTokensHandler(engine, images)));
        for (String base : new String[] {"", "/openai"}) {
            access.route(ApiKeyFilter.Api.OPENAI, Route.exact(base + "/v1/chat/completions", OpenAiErrors.ENVELOPE).on("POST", chat));
            access.route(ApiKeyFilter.Api.OPENAI, Route.exact(base + "/v1/responses", OpenAiErrors.ENVELOPE)
                    .on("POST", responses::create));
            access.route(ApiKeyFilter.Api.OPENAI, Route.under(base + "/v1/responses/", OpenAiErrors.ENVELOPE)
                    .on("GET", responses::retrieve).on("DELETE", responses::delete));
            access.route(ApiKeyFilter.Api.EITHER, Route.exact(base + ModelsHandler.PATH, ClientEnvelope.INSTANCE).on("GET", models));
            access.route(ApiKeyFilter.Api.EITHER, Route.under(base + ModelsHandler.PATH + "/", ClientEnvelope.INSTANCE)
                    .on("GET", models));
        }
        // the catch-all: the status page at exactly /, open like /health (a browser cannot send the key on
        // a page load; its script asks for it); any other unknown path is a 404, or a 401 without the key
        access.context("/", ApiKeyFilter.Api.EITHER, List.of("GET"), Route.exact("/", ClientEnvelope.INSTANCE)
                .on("GET", new StatusPage()));
    }

    /** Creates the contexts, each with the same chain of filters. */
    private record Access(HttpServer http, InFlight inFlight, AccessLog log, Metrics metrics, Config.Access config) {

        /** A route that needs the key (when one is set). */
        void route(ApiKeyFilter.Api api, Route route) {
            context(route.path(), api, route.methods(), route);
        }

        /** A route open to all, with CORS only. */
        void open(Route route) {
            context(route.path(), null, route.methods(), route);
        }

        /**
         * The context for {@code route}, its filters in order: the request's record and in-flight
         * count; the access log and the metrics, which see every answer below them; the error
         * boundary, which answers in the route's envelope; CORS (a preflight carries no key);
         * the API key check ({@code api}: whose 401; null: none).
         */
        void context(String path, ApiKeyFilter.Api api, List<String> methods, Route route) {
            HttpContext context = http.createContext(path, route);
            List<Filter> filters = context.getFilters();
            filters.add(inFlight.filter(label(api)));
            filters.add(log);
            filters.add(metrics.filter());
            filters.add(new ErrorBoundary(route.envelope()));
            if (!config.corsOrigins().isEmpty()) {
                filters.add(new CorsFilter(config.corsOrigins(), methods));
            }
            if (api != null && config.apiKey().isPresent()) {
                filters.add(new ApiKeyFilter(config.apiKey().get(), api, path.equals("/") ? "/" : null));
            }
        }

        /** The API a context's requests are counted under: only routes of one API have one. */
        private static String label(ApiKeyFilter.Api api) {
            return api == ApiKeyFilter.Api.ANTHROPIC ? "anthropic" : api == ApiKeyFilter.Api.OPENAI ? "openai" : "";
        }

        /** Whether {@code exchange} may see everything: no key is set, or it carries the key. */
        boolean holdsKey(HttpExchange exchange) {
            return config.apiKey().map(key -> ApiKeyFilter.carries(exchange, key)).orElse(true);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://host:port}, with IPv6 literals in brackets. */
    public String baseUri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    Path workDir() {
        return workDir.path();
    }

    /**
     * Stops taking connections, lets running exchanges end (killing their CLIs after the grace,
     * so that each stream ends with an error event), then cleans up.
     */
    @Override
    public void close() {
        // HttpServer.stop closes the listener at once (no new connection is taken from here on),
        // then waits for running exchanges up to its delay, which outlasts both graces below
        Thread stopping = Thread.ofPlatform().name("http-stop").start(
                () -> http.stop((int) STOP_GRACE.multipliedBy(2).plusSeconds(2).toSeconds()));
        inFlight.awaitIdle(STOP_GRACE);
        engine.close(); // any CLI still running: its exchange then ends with an error
        inFlight.awaitIdle(STOP_GRACE);
        try {
            stopping.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        images.close();
        workDir.close();
    }
}
