package proxy.e2e;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest faithful Anthropic Messages API, for running the real Claude Code CLI offline:
 * {@code POST /v1/messages} (any query string, e.g. {@code ?beta=true}) on loopback port 0.
 * Every request is recorded; answers come from a script set with {@link #reply}, taken in
 * order, the last one repeating. A text reply is streamed as Server-Sent Events the way the real
 * API does (message_start, content_block_start, one text_delta per delta, content_block_stop,
 * message_delta, message_stop), or sent as one message object when the request says
 * {@code "stream":false}; a tool-use reply likewise, with one {@code tool_use} block whose input
 * arrives as {@code input_json_delta} chunks and {@code stop_reason: "tool_use"}. Any other path
 * is a 404.
 */
final class FakeAnthropic implements AutoCloseable {

    /** One request as received: path with query, headers (case-insensitive, first values), body. */
    record Recorded(String method, String path, Map<String, String> headers, String body) {
    }

    /** A scripted answer. */
    sealed interface Reply {
        /** A normal streamed text answer made of these text deltas. */
        static Reply text(String... deltas) {
            return new TextReply(List.of(deltas));
        }

        /**
         * A streamed assistant message with one {@code tool_use} block (id {@code toolu_fake_N},
         * N the request number) calling {@code name}; {@code inputJson} is sent as two or three
         * {@code input_json_delta} chunks, and the message stops with {@code tool_use}.
         */
        static Reply toolUse(String name, String inputJson) {
            return new ToolUseReply("", List.of(new Call(name, inputJson)));
        }

        /**
         * A streamed assistant message with {@code text} (if not empty) and then one
         * {@code tool_use} block per call, ids {@code toolu_fake_N} for the first and
         * {@code toolu_callK_fake_N} for call K > 1; it stops with {@code tool_use}.
         */
        static Reply toolUses(String text, Call... calls) {
            return new ToolUseReply(text, List.of(calls));
        }

        /** An API error: {@code {"type":"error","error":{"type":..,"message":..}}} with this status and extra headers. */
        static Reply error(int status, String type, String message, Map<String, String> headers) {
            return new ErrorReply(status, type, message, Map.copyOf(headers));
        }
    }

    record TextReply(List<String> deltas) implements Reply {
    }

    /** One tool call of a {@link ToolUseReply}. */
    record Call(String name, String inputJson) {
    }

    record ToolUseReply(String text, List<Call> calls) implements Reply {
    }

    record ErrorReply(int status, String type, String message, Map<String, String> headers) implements Reply {
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private List<Reply> script = List.of(Reply.text("Hello from the fake."));
    private int next;

    FakeAnthropic() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Replaces the script: the replies are used in order, the last one for every later request. */
    synchronized void reply(Reply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("at least one reply");
        }
        script = List.of(replies);
        next = 0;
    }

    /** Every request so far, oldest first. */
    List<Recorded> requests() {
        return Collections.unmodifiableList(new ArrayList<>(requests));
    }

    private synchronized Reply nextReply() {
        return script.get(Math.min(next++, script.size() - 1));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.getFirst()));
            String query = ex.getRequestURI().getRawQuery();
            String path = ex.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
            requests.add(new Recorded(ex.getRequestMethod(), path, Collections.unmodifiableMap(headers), body));

            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getRawPath().equals("/v1/messages")) {
                send(ex, 404, error("not_found_error", "Not found: " + path));
                return;
            }
            int n = ids.incrementAndGet();
            ex.getResponseHeaders().set("request-id", "req_fake_" + n);
            switch (nextReply()) {
                case ErrorReply e -> {
                    e.headers().forEach(ex.getResponseHeaders()::set);
                    send(ex, e.status(), error(e.type(), e.message()));
                }
                case TextReply t -> {
                    if (streamed(body)) {
                        stream(ex, n, topLevel(body, "model"), t.deltas());
                    } else {
                        send(ex, 200, message(n, topLevel(body, "model"), t.deltas()));
                    }
                }
                case ToolUseReply u -> {
                    if (streamed(body)) {
                        streamToolUse(ex, n, topLevel(body, "model"), u);
                    } else {
                        send(ex, 200, toolMessage(n, topLevel(body, "model"), u));
                    }
                }
            }
        }
    }

    /** Whether the request wants Server-Sent Events: anything but {@code "stream":false}. */
    private static boolean streamed(String body) {
        return !"false".equals(topLevel(body, "stream"));
    }

    private static void stream(HttpExchange ex, int n, String model, List<String> deltas) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake_" + n
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}");
        event(out, "content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        for (String d : deltas) {
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(d) + "}}");
        }
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + deltas.size() + "}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
    }

    /** No id is the start of another: the CLI takes {@code <id>_<n>} for entry n of a batched call of {@code <id>}. */
    private static String callId(int n, int k) {
        return k == 0 ? "toolu_fake_" + n : "toolu_call" + (k + 1) + "_fake_" + n;
    }

    private static void streamToolUse(HttpExchange ex, int n, String model, ToolUseReply reply) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake_" + n
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}");
        int index = 0;
        if (!reply.text().isEmpty()) {
            event(out, "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(reply.text()) + "}}");
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            index++;
        }
        int outputTokens = 0;
        for (int k = 0; k < reply.calls().size(); k++, index++) {
            Call call = reply.calls().get(k);
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                    + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"" + callId(n, k) + "\",\"name\":"
                    + quote(call.name()) + ",\"input\":{}}}");
            List<String> chunks = chunks(call.inputJson());
            for (String c : chunks) {
                event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index + ","
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + quote(c) + "}}");
            }
            outputTokens += chunks.size();
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
        }
        event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
    }

    /** The input JSON cut into three pieces (fewer if it is shorter than three characters). */
    private static List<String> chunks(String json) {
        int parts = Math.max(1, Math.min(3, json.length()));
        List<String> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            out.add(json.substring(json.length() * i / parts, json.length() * (i + 1) / parts));
        }
        return out;
    }

    private static void event(OutputStream out, String name, String json) throws IOException {
        out.write(("event: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String message(int n, String model, List<String> deltas) {
        return "{\"id\":\"msg_fake_" + n + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                + ",\"content\":[{\"type\":\"text\",\"text\":" + quote(String.join("", deltas)) + "}],"
                + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":" + deltas.size() + "}}";
    }

    private static String toolMessage(int n, String model, ToolUseReply reply) {
        List<String> blocks = new ArrayList<>();
        if (!reply.text().isEmpty()) {
            blocks.add("{\"type\":\"text\",\"text\":" + quote(reply.text()) + "}");
        }
        for (int k = 0; k < reply.calls().size(); k++) {
            Call call = reply.calls().get(k);
            blocks.add("{\"type\":\"tool_use\",\"id\":\"" + callId(n, k) + "\",\"name\":" + quote(call.name())
                    + ",\"input\":" + call.inputJson() + "}"); // the input is JSON already
        }
        return "{\"id\":\"msg_fake_" + n + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                + ",\"content\":[" + String.join(",", blocks) + "],"
                + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":" + reply.calls().size() + "}}";
    }

    private static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":" + quote(message) + "}}";
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    /** The text of a top-level scalar field of a JSON object ("true", "false", a string...), or null. */
    private static String topLevel(String json, String field) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && value.isScalarValue()) {
                    return p.getText();
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
