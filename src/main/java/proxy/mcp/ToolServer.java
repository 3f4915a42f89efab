package proxy.mcp;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link McpBridge} on a listener of its own, bound to the loopback address: the CLI
 * reaches client tools there, and nothing off this machine can, whatever address the proxy
 * itself serves on. It is behind its per-conversation tokens only, never behind the
 * client-facing API key or filters. Owns the listener and its threads.
 */
public final class ToolServer implements AutoCloseable {

    /** Within the CLI's limits: it aborts a call silent for 300 s (cli-protocol.md §12). */
    public static final Duration PROGRESS_EVERY = Duration.ofSeconds(20);

    private final HttpServer http;
    private final ExecutorService executor;
    private final McpBridge bridge;

    private ToolServer(HttpServer http, ExecutorService executor, McpBridge bridge) {
        this.http = http;
        this.executor = executor;
        this.bridge = bridge;
    }

    public static ToolServer start(Duration progressEvery) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mcp-", 0).factory());
        McpBridge bridge = new McpBridge(progressEvery);
        http.createContext(McpBridge.PATH, bridge);
        http.setExecutor(executor);
        http.start();
        return new ToolServer(http, executor, bridge);
    }

    /** Serves {@code tools} at a new unguessable URL until the session is closed. */
    public McpSession open(List<McpTool> tools) {
        return bridge.open(tools);
    }

    /** The URL the CLI reaches {@code session}'s tools at. */
    public String url(McpSession session) {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + session.path();
    }

    /** Stops listening; call after every session is closed (held calls are answered by their sessions). */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
