package proxy.mcp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The tools of one CLI process, served at {@link #path} (an unguessable token), and the calls
 * the CLI makes to them, held until the client answers. One per CLI process that has client
 * tools; {@link #close} takes the path down and gives every call still held an error result,
 * so the CLI's requests end with the process that made them.
 */
public final class McpSession implements AutoCloseable {

    private final McpBridge bridge;
    private final String token;
    private final Map<String, McpTool> tools = new LinkedHashMap<>();
    /** tool_use id → the call, completed when the CLI makes it (before or after someone waits for it). */
    private final Map<String, CompletableFuture<HeldCall>> calls = new ConcurrentHashMap<>();
    private volatile boolean closed;

    McpSession(McpBridge bridge, String token, List<McpTool> tools) {
        this.bridge = bridge;
        this.token = token;
        tools.forEach(t -> this.tools.put(t.name(), t));
    }

    /** The path the CLI reaches the tools at: give it in {@code --mcp-config}. */
    public String path() {
        return McpBridge.PATH + token;
    }

    String token() {
        return token;
    }

    List<McpTool> tools() {
        return List.copyOf(tools.values());
    }

    McpTool tool(String name) {
        return tools.get(name);
    }

    /**
     * The call the CLI made (or makes within {@code timeout}) for the model's tool_use
     * {@code toolUseId}; empty if none came in time or the session closed.
     */
    public Optional<HeldCall> awaitCall(String toolUseId, Duration timeout) throws InterruptedException {
        try {
            return Optional.of(arrival(toolUseId).get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException | CancellationException e) {
            return Optional.empty();
        }
    }

    private CompletableFuture<HeldCall> arrival(String toolUseId) {
        return calls.computeIfAbsent(toolUseId, id -> new CompletableFuture<>());
    }

    /** The CLI made {@code call}: it is held from now on. */
    void arrived(HeldCall call) {
        arrival(call.toolUseId()).complete(call);
        if (closed) {
            call.answer(McpBridge.NO_ANSWER, true);
        }
    }

    /** The CLI's request for {@code call} has ended (answered, or the CLI went away). */
    void ended(HeldCall call) {
        calls.remove(call.toolUseId());
    }

    @Override
    public void close() {
        closed = true;
        bridge.remove(token);
        for (CompletableFuture<HeldCall> f : calls.values()) {
            if (!f.cancel(false)) {
                f.join().answer(McpBridge.NO_ANSWER, true); // already made: end its request
            }
        }
    }
}
