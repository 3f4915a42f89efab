package proxy.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import proxy.json.Json;
import proxy.json.Node;

/**
 * Serves client tools to the CLI as MCP servers over streamable HTTP (JSON-RPC 2.0 on POST),
 * one per {@link McpSession}, at {@code /mcp/<token>}. An unknown token is a bare 404: the
 * path is the only secret, and nothing says whether it ever existed.
 *
 * <p>{@code tools/call} is answered as {@code text/event-stream} with the headers sent at once
 * (the CLI aborts a call whose headers wait 60 s) and held until the client's result arrives
 * through {@link HeldCall#answer}, with a progress notification every {@code progressEvery}
 * meanwhile (the CLI gives up on a call silent for 300 s). No tool says {@code readOnlyHint}:
 * the CLI then makes a message's calls one after another, each once the one before is answered
 * (the client has them all from the reply); made at once, the CLI 2.1.331 lost the result of one
 * of them now and then. Every tool asks for results up to
 * the CLI's cap of 500,000 characters to reach the model verbatim rather than as a file
 * preview, and to be always loaded, never deferred behind the CLI's tool search however many
 * tools there are (all checked against CLI 2.1.331).
 */
public final class McpBridge implements HttpHandler {

    public static final String PATH = "/mcp/";
    static final String NO_ANSWER = "The client did not answer this tool call";
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final int MAX_RESULT_CHARS = 500_000;
    /** Answered to {@code initialize} when the CLI names no protocol version. */
    private static final String PROTOCOL_VERSION = "2025-06-18";

    private final Duration progressEvery;
    private final Map<String, McpSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public McpBridge(Duration progressEvery) {
        this.progressEvery = progressEvery;
    }

    /** Serves {@code tools} at a new unguessable path until the session is closed. */
    public McpSession open(List<McpTool> tools) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        McpSession session = new McpSession(this, HexFormat.of().formatHex(bytes), tools);
        sessions.put(session.token(), session);
        return session;
    }

    void remove(String token) {
        sessions.remove(token);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            McpSession session = path.startsWith(PATH) ? sessions.get(path.substring(PATH.length())) : null;
            if (session == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1); // no server-initiated stream: the CLI does without
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            Node request;
            try {
                request = Node.parse(new String(body, StandardCharsets.UTF_8));
            } catch (IOException e) {
                sendJson(exchange, error(Node.MISSING, -32700, "Parse error"));
                return;
            }
            Node id = request.get("id");
            if (id.isMissing()) {
                exchange.sendResponseHeaders(202, -1); // a notification (initialized, cancelled): nothing to say
                return;
            }
            Node params = request.get("params");
            switch (String.valueOf(request.text("method"))) {
                case "initialize" -> sendJson(exchange, result(id, g -> initialize(g, params)));
                case "ping" -> sendJson(exchange, result(id, g -> {
                    g.writeStartObject();
                    g.writeEndObject();
                }));
                case "tools/list" -> sendJson(exchange, result(id, g -> toolsList(g, session)));
                case "tools/call" -> call(exchange, session, id, params);
                default -> sendJson(exchange, error(id, -32601, "Method not found")); // server/discover too
            }
        }
    }

    private static void initialize(JsonGenerator g, Node params) throws IOException {
        String version = params.text("protocolVersion");
        g.writeStartObject();
        g.writeStringField("protocolVersion", version != null ? version : PROTOCOL_VERSION);
        g.writeObjectFieldStart("capabilities");
        g.writeObjectFieldStart("tools");
        g.writeBooleanField("listChanged", false);
        g.writeEndObject();
        g.writeEndObject();
        g.writeObjectFieldStart("serverInfo");
        g.writeStringField("name", "claude-proxy");
        g.writeStringField("version", "1");
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void toolsList(JsonGenerator g, McpSession session) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("tools");
        for (McpTool tool : session.tools()) {
            g.writeStartObject();
            g.writeStringField("name", tool.name());
            g.writeStringField("description", tool.description());
            g.writeFieldName("inputSchema");
            tool.inputSchema().write(g);
            g.writeObjectFieldStart("_meta");
            g.writeNumberField("anthropic/maxResultSizeChars", MAX_RESULT_CHARS);
            g.writeBooleanField("anthropic/alwaysLoad", true); // never deferred behind the CLI's tool search
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A {@code tools/call}: headers now, then held until answered, then the result as one SSE message. */
    private void call(HttpExchange exchange, McpSession session, Node id, Node params) throws IOException {
        McpTool tool = session.tool(String.valueOf(params.text("name")));
        if (tool == null) {
            sendJson(exchange, error(id, -32602, "Unknown tool"));
            return;
        }
        Node meta = params.get("_meta");
        String toolUseId = meta.text("claudecode/toolUseId");
        if (toolUseId == null) { // not the CLI we know: the call can still be held, by a made-up id
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            toolUseId = "call_" + HexFormat.of().formatHex(bytes);
        }
        Node arguments = params.get("arguments");
        HeldCall call = new HeldCall(toolUseId, tool.name(), arguments.isObject() ? arguments.toJson() : "{}",
                new CompletableFuture<>());
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.flush();
        session.arrived(call);
        try {
            HeldCall.Result result = hold(call, out, meta.get("progressToken"));
            event(out, result(id, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("content");
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", result.text());
                g.writeEndObject();
                g.writeEndArray();
                g.writeBooleanField("isError", result.isError());
                g.writeEndObject();
            }));
        } catch (IOException e) {
            call.result().cancel(false); // the CLI went away: nobody will read an answer
            throw e;
        } finally {
            session.ended(call);
        }
    }

    private HeldCall.Result hold(HeldCall call, OutputStream out, Node progressToken) throws IOException {
        for (int n = 1; ; n++) {
            try {
                return call.result().get(progressEvery.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                int progress = n;
                if (progressToken.isMissing()) {
                    out.write(": waiting for the client\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else {
                    event(out, Json.bytes(g -> {
                        g.writeStartObject();
                        g.writeStringField("jsonrpc", "2.0");
                        g.writeStringField("method", "notifications/progress");
                        g.writeObjectFieldStart("params");
                        g.writeFieldName("progressToken");
                        progressToken.write(g);
                        g.writeNumberField("progress", progress);
                        g.writeEndObject();
                        g.writeEndObject();
                    }));
                }
            } catch (ExecutionException | CancellationException e) {
                return new HeldCall.Result(NO_ANSWER, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while a tool call was held", e);
            }
        }
    }

    private static byte[] result(Node id, Json.Writer result) {
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            g.writeFieldName("id");
            id.write(g);
            g.writeFieldName("result");
            result.write(g);
            g.writeEndObject();
        });
    }

    private static byte[] error(Node id, int code, String message) {
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            g.writeFieldName("id");
            if (id.isMissing()) {
                g.writeNull();
            } else {
                id.write(g);
            }
            g.writeObjectFieldStart("error");
            g.writeNumberField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static void sendJson(HttpExchange exchange, byte[] json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, json.length);
        exchange.getResponseBody().write(json);
    }

    private static void event(OutputStream out, byte[] json) throws IOException {
        out.write("event: message\ndata: ".getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
