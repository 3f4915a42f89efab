package proxy.anthropic;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import proxy.json.Node;

/**
 * A strict reader of an Anthropic Messages SSE body, as the official SDKs read it: the TS
 * {@code core/streaming.ts} SSE decoder plus {@code lib/MessageStream.ts} accumulator, and the
 * Python {@code _streaming.py}; tightened to the wire contract (api-contract.md §1.5, §6) where
 * the SDKs are lenient but the upstream API and stricter clients are not.
 *
 * <p>{@link #parse} returns the accumulated {@link Message}, throws {@link StreamError} for an
 * in-band {@code event: error}, and throws {@link AssertionError} naming the event (ordinal and
 * line) for any violation:
 * <ul>
 *   <li>framing: each event is one {@code event:} line, then one or more {@code data:} lines, then
 *       a blank line (TS drops a frame without {@code event:}, and one not ended by a blank line);
 *       {@code :} comment lines may appear anywhere before the end; no other SSE fields;</li>
 *   <li>the event name equals the data's {@code type}, and is one of the eight documented ones
 *       (the AI SDK rejects others);</li>
 *   <li>exactly one {@code message_start}, first (only pings, comments or an error before it);</li>
 *   <li>blocks 0, 1, 2… each start → deltas → stop, not interleaved; delta types fit the block
 *       ({@code input_json_delta} only on a tool_use block, which starts as
 *       {@code {"type":"tool_use","id","name","input":{}}}); tool input fragments concatenate to a
 *       JSON object; a thinking block ends with one signature;</li>
 *   <li>at least one {@code message_delta}, after the last block, with a documented
 *       {@code stop_reason} ({@code tool_use} only when a tool_use block came) and an integer
 *       {@code usage.output_tokens};</li>
 *   <li>{@code message_stop} last, and nothing after it.</li>
 * </ul>
 */
public final class StrictAnthropicStream {

    /** The message as {@code MessageStream.finalMessage()} would accumulate it. */
    public record Message(String id, String model, List<Block> content, String stopReason, String stopSequence,
            long inputTokens, long outputTokens) {
    }

    public sealed interface Block permits Text, Thinking, RedactedThinking, ToolUse {
    }

    public record Text(String text) implements Block {
    }

    public record Thinking(String thinking, String signature) implements Block {
    }

    public record RedactedThinking(String data) implements Block {
    }

    /** {@code inputJson} is the concatenated {@code partial_json} ({@code "{}"} when there was none). */
    public record ToolUse(String id, String name, String inputJson) implements Block {
    }

    /** An {@code event: error} in the stream: what TS turns into an {@code APIError} from the iterator. */
    public static final class StreamError extends RuntimeException {
        private final String type;
        private final String message;

        StreamError(String type, String message) {
            super(type + ": " + message);
            this.type = type;
            this.message = message;
        }

        public String type() {
            return type;
        }

        String message() {
            return message;
        }
    }

    static final List<String> EVENT_TYPES = List.of("message_start", "content_block_start", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop", "ping", "error");
    static final List<String> STOP_REASONS = List.of("end_turn", "max_tokens", "stop_sequence", "tool_use",
            "pause_turn", "refusal", "model_context_window_exceeded");
    static final List<String> ERROR_TYPES = List.of("invalid_request_error", "authentication_error", "billing_error",
            "permission_error", "not_found_error", "conflict_error", "request_too_large", "rate_limit_error",
            "api_error", "timeout_error", "overloaded_error");

    /**
     * One SSE frame: its ordinal among events (from 1), the line of its {@code event:} field, name and
     * joined data; or a comment line, with a null event.
     */
    private record Frame(int ordinal, int line, String event, String data) {
        boolean isComment() {
            return event == null;
        }

        AssertionError fail(String what) {
            return isComment()
                    ? new AssertionError("line " + line + " (comment): " + what)
                    : new AssertionError("event #" + ordinal + " (line " + line + ", " + event + "): " + what);
        }
    }

    private StrictAnthropicStream() {
    }

    /** Validates a whole SSE body and returns the message it accumulates to. */
    public static Message parse(String sseBody) {
        List<Frame> frames = frames(sseBody);
        return new Accumulator().run(frames);
    }

    /** Validates a non-streaming error body: {@code {"type":"error","error":{"type":T,"message":M},"request_id"?}}. */
    public static void assertErrorBody(String json, String type) {
        Node body = json(json, "error body");
        check("error".equals(body.text("type")), "error body: top-level type must be \"error\": " + json);
        Node error = body.get("error");
        check(error.isObject(), "error body: \"error\" must be an object: " + json);
        check(type.equals(error.text("type")), "error body: error.type must be " + type + ": " + json);
        check(error.text("message") != null, "error body: error.message must be a string: " + json);
        Node requestId = body.get("request_id");
        check(requestId.isMissing() || requestId.isNull() || requestId.text() != null,
                "error body: request_id must be a string or null: " + json);
    }

    // ---- SSE framing, like TS SSEDecoder but failing where it would silently drop ----

    private static List<Frame> frames(String body) {
        List<Frame> frames = new ArrayList<>();
        int events = 0;
        String[] lines = body.split("\n", -1);
        String event = null;
        int eventLine = 0;
        List<String> data = new ArrayList<>();
        boolean inFrame = false;
        // split(-1) leaves "" after a final "\n": that element is the end of input, not a line
        int count = lines.length - 1;
        if (!lines[count].isEmpty()) {
            count = lines.length; // the body does not end with a newline
        }
        for (int i = 0; i < count; i++) {
            int lineNo = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty()) {
                if (inFrame) {
                    if (data.isEmpty()) {
                        throw new AssertionError("line " + eventLine + ": event '" + event + "' has no data: line");
                    }
                    frames.add(new Frame(++events, eventLine, event, String.join("\n", data)));
                    event = null;
                    data.clear();
                    inFrame = false;
                }
                continue;
            }
            if (line.startsWith(":")) {
                frames.add(new Frame(0, lineNo, null, line)); // ignored by both SDKs, a keep-alive
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> {
                    if (inFrame) {
                        throw new AssertionError("line " + lineNo + ": second event: line in one frame (missing blank line"
                                + " after line " + (lineNo - 1) + ")");
                    }
                    event = value;
                    eventLine = lineNo;
                    inFrame = true;
                }
                case "data" -> {
                    if (!inFrame) {
                        throw new AssertionError("line " + lineNo + ": data: line without an event: line before it"
                                + " (the TS SDK drops such a frame): " + line);
                    }
                    data.add(value);
                }
                default -> throw new AssertionError("line " + lineNo + ": not an event:, data: or comment line: " + line);
            }
        }
        if (inFrame) {
            throw new AssertionError("line " + eventLine + ": the body ends inside event '" + event
                    + "' without the blank line that ends a frame (the TS SDK never dispatches it)");
        }
        return frames;
    }

    // ---- event order and content, like MessageStream#accumulateMessage but strict ----

    private static final class Accumulator {
        private String id;
        private String model;
        private long inputTokens;
        private long outputTokens = -1;
        private String stopReason;
        private String stopSequence;
        private boolean started;
        private boolean deltaSeen;
        private boolean stopped;
        private final List<Block> blocks = new ArrayList<>();
        private Node open; // the content_block of the open block, or null
        private final StringBuilder buffer = new StringBuilder(); // text, thinking or tool JSON of the open block
        private String signature;

        Message run(List<Frame> frames) {
            check(frames.stream().anyMatch(f -> !f.isComment()),
                    "the stream has no events (the SDK: \"request ended without sending any chunks\")");
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                if (stopped) {
                    throw f.fail("after message_stop, which must be the last thing in the stream");
                }
                if (f.isComment()) {
                    continue;
                }
                Node data;
                try {
                    data = Node.parse(f.data());
                } catch (IOException e) {
                    throw f.fail("data is not JSON (" + e.getMessage() + "): " + f.data());
                }
                if (!EVENT_TYPES.contains(f.event())) {
                    throw f.fail("undocumented event type (allowed: " + EVENT_TYPES + ")");
                }
                if (!f.event().equals(data.text("type"))) {
                    throw f.fail("event name differs from data.type " + data.get("type") + ": " + f.data());
                }
                if (f.event().equals("error")) {
                    throw error(f, data, i == frames.size() - 1);
                }
                event(f, data);
            }
            check(stopped, "the stream ended without message_stop");
            return new Message(id, model, List.copyOf(blocks), stopReason, stopSequence, inputTokens, outputTokens);
        }

        private void event(Frame f, Node data) {
            String type = f.event();
            if (type.equals("ping")) {
                return;
            }
            if (!started && !type.equals("message_start")) {
                throw f.fail("Unexpected event order, got " + type + " before \"message_start\"");
            }
            switch (type) {
                case "message_start" -> messageStart(f, data);
                case "content_block_start" -> blockStart(f, data);
                case "content_block_delta" -> blockDelta(f, data);
                case "content_block_stop" -> blockStop(f, data);
                case "message_delta" -> messageDelta(f, data);
                case "message_stop" -> {
                    require(f, open == null, "message_stop while block " + blocks.size() + " is open");
                    require(f, deltaSeen, "message_stop without a message_delta before it");
                    stopped = true;
                }
                default -> throw new IllegalStateException(type);
            }
        }

        private void messageStart(Frame f, Node data) {
            require(f, !started, "second message_start");
            started = true;
            Node m = data.get("message");
            require(f, m.isObject(), "message missing");
            id = m.text("id");
            require(f, id != null && id.startsWith("msg_"), "message.id must be a string starting msg_: " + m.get("id"));
            require(f, "message".equals(m.text("type")), "message.type must be \"message\": " + m.get("type"));
            require(f, "assistant".equals(m.text("role")), "message.role must be \"assistant\": " + m.get("role"));
            model = m.text("model");
            require(f, model != null && !model.isEmpty(), "message.model must be a non-empty string: " + m.get("model"));
            require(f, m.get("content").toJson().equals("[]"), "message.content must be []: " + m.get("content"));
            require(f, m.has("stop_reason") && m.get("stop_reason").isNull(), "message.stop_reason must be null");
            require(f, m.has("stop_sequence") && m.get("stop_sequence").isNull(), "message.stop_sequence must be null");
            Node usage = m.get("usage");
            require(f, usage.isObject(), "message.usage missing (TS MessageStream reads snapshot.usage)");
            require(f, isCount(usage.get("input_tokens")), "usage.input_tokens must be an integer ≥ 0: " + usage);
            require(f, isCount(usage.get("output_tokens")), "usage.output_tokens must be an integer ≥ 0: " + usage);
            inputTokens = usage.get("input_tokens").longValue(-1);
            outputTokens = usage.get("output_tokens").longValue(-1);
        }

        private void blockStart(Frame f, Node data) {
            require(f, open == null, "content_block_start while block " + blocks.size() + " is still open");
            require(f, !deltaSeen, "content_block_start after message_delta");
            require(f, index(data) == blocks.size(),
                    "index " + data.get("index") + ", expected " + blocks.size() + " (indexes are 0, 1, 2… in order)");
            Node b = data.get("content_block");
            String type = b.text("type");
            switch (type == null ? "" : type) {
                case "text" -> require(f, "".equals(b.text("text")), "a text block starts empty: " + b);
                case "thinking" -> require(f, "".equals(b.text("thinking")) && "".equals(b.text("signature")),
                        "a thinking block starts with thinking \"\" and signature \"\": " + b);
                case "redacted_thinking" -> require(f, b.text("data") != null, "redacted_thinking needs data: " + b);
                case "tool_use" -> {
                    require(f, b.text("id") != null && !b.text("id").isEmpty(), "tool_use.id must be a non-empty string: " + b);
                    require(f, b.text("name") != null && !b.text("name").isEmpty(), "tool_use.name must be a non-empty string: " + b);
                    require(f, b.get("input").toJson().equals("{}"), "tool_use.input must start as {}: " + b);
                }
                default -> throw f.fail("content_block type " + b.get("type") + " is not text, thinking, redacted_thinking or tool_use");
            }
            open = b;
            buffer.setLength(0);
            signature = null;
        }

        private void blockDelta(Frame f, Node data) {
            require(f, open != null && index(data) == blocks.size(),
                    "delta for index " + data.get("index") + ", but " + (open == null ? "no block is open" : "the open block is " + blocks.size())
                            + " (the SDK drops deltas for blocks never started)");
            Node d = data.get("delta");
            String blockType = open.text("type");
            String deltaType = d.text("type");
            switch (blockType + "/" + deltaType) {
                case "text/text_delta" -> buffer.append(string(f, d, "text"));
                case "text/citations_delta" -> require(f, d.get("citation").isObject(), "citations_delta needs a citation object: " + d);
                case "thinking/thinking_delta" -> {
                    require(f, signature == null, "thinking_delta after signature_delta");
                    buffer.append(string(f, d, "thinking"));
                }
                case "thinking/signature_delta" -> {
                    require(f, signature == null, "second signature_delta");
                    signature = string(f, d, "signature");
                    require(f, !signature.isEmpty(), "empty signature");
                }
                case "tool_use/input_json_delta" -> buffer.append(string(f, d, "partial_json"));
                default -> throw f.fail("delta type " + d.get("type") + " does not fit a " + blockType + " block");
            }
        }

        private void blockStop(Frame f, Node data) {
            require(f, open != null && index(data) == blocks.size(),
                    "stop for index " + data.get("index") + ", but " + (open == null ? "no block is open" : "the open block is " + blocks.size()));
            blocks.add(switch (open.text("type")) {
                case "text" -> new Text(buffer.toString());
                case "thinking" -> {
                    require(f, signature != null, "thinking block ends without a signature_delta");
                    yield new Thinking(buffer.toString(), signature);
                }
                case "redacted_thinking" -> new RedactedThinking(open.text("data"));
                case "tool_use" -> {
                    // the SDK keeps input {} when no fragment arrived; otherwise it parses the concatenation
                    String input = buffer.isEmpty() ? "{}" : buffer.toString();
                    Node parsed;
                    try {
                        parsed = Node.parse(input);
                    } catch (IOException e) {
                        throw f.fail("tool input is not JSON (" + e.getMessage() + "): " + input);
                    }
                    require(f, parsed.isObject(), "tool input is not a JSON object: " + input);
                    yield new ToolUse(open.text("id"), open.text("name"), input);
                }
                default -> throw new IllegalStateException(open.toJson());
            });
            open = null;
        }

        private void messageDelta(Frame f, Node data) {
            require(f, open == null, "message_delta while block " + blocks.size() + " is open");
            Node d = data.get("delta");
            require(f, d.isObject(), "delta missing: " + data);
            String reason = d.text("stop_reason");
            require(f, reason != null && STOP_REASONS.contains(reason),
                    "delta.stop_reason " + d.get("stop_reason") + " is not one of " + STOP_REASONS);
            // a client answers tool_use by running the calls in content: with none there, it has nothing to run
            require(f, !reason.equals("tool_use") || blocks.stream().anyMatch(b -> b instanceof ToolUse),
                    "stop_reason tool_use, but the message has no tool_use block");
            Node seq = d.get("stop_sequence");
            if (reason.equals("stop_sequence")) {
                require(f, seq.text() != null, "stop_reason stop_sequence needs delta.stop_sequence as a string: " + d);
            } else {
                require(f, seq.isNull() && !seq.isMissing(), "delta.stop_sequence must be null unless stop_reason is stop_sequence: " + d);
            }
            Node usage = data.get("usage");
            require(f, usage.isObject(), "usage missing (TS MessageStream does snapshot.usage.output_tokens = event.usage.output_tokens)");
            require(f, isCount(usage.get("output_tokens")), "usage.output_tokens must be an integer ≥ 0: " + usage);
            Node in = usage.get("input_tokens");
            require(f, in.isMissing() || in.isNull() || isCount(in), "usage.input_tokens must be an integer or null: " + usage);
            deltaSeen = true;
            stopReason = reason;
            stopSequence = seq.text();
            outputTokens = usage.get("output_tokens").longValue(-1);
            if (isCount(in)) {
                inputTokens = in.longValue(-1); // cumulative; newer SDKs copy non-null input counts
            }
        }

        private static StreamError error(Frame f, Node data, boolean last) {
            if (!last) {
                throw f.fail("more follows the error event (the stream must close after it)");
            }
            Node e = data.get("error");
            String type = e.text("type");
            String message = e.text("message");
            require(f, type != null && message != null, "error event needs error.type and error.message strings: " + data);
            require(f, ERROR_TYPES.contains(type), "error.type " + type + " is not one of " + ERROR_TYPES);
            return new StreamError(type, message);
        }

        private static String string(Frame f, Node delta, String field) {
            String s = delta.text(field);
            require(f, s != null, "delta." + field + " must be a string: " + delta);
            return s;
        }

        private static long index(Node data) {
            Node i = data.get("index");
            return isCount(i) ? i.longValue(-1) : -1;
        }
    }

    // ---- small helpers ----

    /** A JSON integer ≥ 0 (not 1.0, not "1"). */
    private static boolean isCount(Node n) {
        return n.longValue(-1) >= 0 && n.toJson().chars().allMatch(Character::isDigit);
    }

    private static Node json(String json, String what) {
        try {
            return Node.parse(json);
        } catch (IOException e) {
            throw new AssertionError(what + " is not JSON (" + e.getMessage() + "): " + json);
        }
    }

    private static void require(Frame f, boolean ok, String what) {
        if (!ok) {
            throw f.fail(what);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
