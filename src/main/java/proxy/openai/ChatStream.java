package proxy.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.Usage;
import proxy.json.Json;
import proxy.sse.SseWriter;

/**
 * The replies of one request's choices as one OpenAI chunk stream (api-contract.md §2.6):
 * {@code data: chunk} frames sharing one id, {@code created} and model; per choice a first
 * chunk with the role, content (and {@code reasoning_content}) chunks, a chunk with the
 * finish reason; then, if asked, a usage chunk with {@code choices: []}; then {@code [DONE]}.
 *
 * <p>Calls of the client's tools are {@code tool_calls} deltas: per choice the calls get the
 * indexes 0, 1, 2... in order; a call's first delta carries its id, type and name with empty
 * arguments, the later ones only fragments of the arguments JSON ({@code {}} for a call the
 * CLI streamed no arguments for). The choice then finishes with {@code tool_calls}. A request in
 * the deprecated {@code functions} form gets {@code function_call} deltas and finish reason
 * instead, of its first call only (that API has one call per message). The CLI's own tool calls
 * (agent mode) are never shown.
 *
 * <p>Choices run on their own threads, so every write holds one lock. The 200 goes out with
 * the first choice's start: a failure before that is answered with a status ({@link #failure});
 * after it, with an error chunk and {@code [DONE]}. One failure or a client hang-up stops
 * every choice.
 */
final class ChatStream implements Closeable {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final SseWriter sse;
    private final String id;
    private final long created;
    private final String model;
    private final int choices;
    private final boolean includeUsage;
    private final boolean reasoning;
    private final boolean legacyFunctions;
    private final ReentrantLock lock = new ReentrantLock();
    private final Shown[] shown;
    private int finishedChoices;
    private Usage usage = Usage.ZERO;
    private ReplyEvent.Failed failure;
    private boolean ended;

    /** What a choice has shown so far. */
    private static final class Shown {
        boolean text;
        /** The client tool calls shown, by the reply's block index. */
        final Map<Integer, Call> calls = new HashMap<>();
    }

    /** A shown call: its OpenAI index, and whether any of its arguments went out yet. */
    private static final class Call {
        final int index;
        boolean arguments;

        Call(int index) {
            this.index = index;
        }
    }

    ChatStream(HttpExchange exchange, String id, long created, String model, int choices, boolean includeUsage,
            boolean reasoning, boolean legacyFunctions) {
        this.sse = new SseWriter(exchange);
        this.id = id;
        this.created = created;
        this.model = model;
        this.choices = choices;
        this.includeUsage = includeUsage;
        this.reasoning = reasoning;
        this.legacyFunctions = legacyFunctions;
        this.shown = new Shown[choices];
        for (int i = 0; i < choices; i++) {
            shown[i] = new Shown();
        }
    }

    /** A failure that came before the stream opened: the handler answers it with a status. */
    Optional<ReplyEvent.Failed> failure() {
        return sse.isOpen() ? Optional.empty() : Optional.ofNullable(failure);
    }

    /** The sink of choice {@code index}. */
    ReplySink choice(int index) {
        return new ReplySink() {
            @Override
            public boolean accept(ReplyEvent event) throws IOException {
                return ChatStream.this.accept(index, event);
            }

            @Override
            public boolean quiet() throws IOException {
                lock.lock();
                try {
                    if (ended) {
                        return false; // another choice failed, or the client left: stop this one
                    }
                    if (!sse.isOpen()) {
                        sse.open(); // waiting for a free CLI or a slow start: the client knows it was heard
                    }
                    sse.comment("ping");
                    return true;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    sse.flush();
                } catch (IOException e) {
                    lock.lock();
                    try {
                        ended = true; // the client is gone: every choice stops
                    } finally {
                        lock.unlock();
                    }
                    throw e;
                }
            }
        };
    }

    private boolean accept(int index, ReplyEvent event) throws IOException {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            try {
                return write(index, event);
            } catch (IOException e) {
                ended = true; // the client is gone: every choice stops
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean write(int index, ReplyEvent event) throws IOException {
        switch (event) {
            case ReplyEvent.Started s -> {
                if (!sse.isOpen()) {
                    sse.open();
                }
                chunk(index, g -> {
                    g.writeStringField("role", "assistant");
                    g.writeStringField("content", "");
                }, null);
            }
            case ReplyEvent.TextDelta d -> chunk(index, g -> g.writeStringField("content", d.text()), null);
            case ReplyEvent.ThinkingDelta d -> {
                if (reasoning) {
                    chunk(index, g -> g.writeStringField("reasoning_content", d.thinking()), null);
                }
            }
            case ReplyEvent.Finished f -> {
                chunk(index, g -> { }, ChatChunks.finishReason(f.reason(), shown[index].calls.size(), legacyFunctions));
                usage = usage.plus(f.usage());
                if (++finishedChoices == choices) {
                    if (includeUsage) {
                        sse.event(null, Json.bytes(g -> {
                            head(g);
                            g.writeArrayFieldStart("choices");
                            g.writeEndArray();
                            ChatChunks.usage(g, usage);
                            g.writeEndObject();
                        }));
                    }
                    sse.event(null, DONE);
                    ended = true;
                }
                return false;
            }
            case ReplyEvent.Failed f -> {
                ended = true;
                failure = f;
                if (sse.isOpen()) {
                    sse.event(null, OpenAiErrors.render(f.kind(), f.message()));
                    sse.event(null, DONE);
                }
                return false;
            }
            case ReplyEvent.BlockStarted b -> {
                switch (b.block()) {
                    case ReplyEvent.Block.Text t -> {
                        if (shown[index].text) {
                            // text blocks around the CLI's tool rounds are paragraphs of one content string
                            chunk(index, g -> g.writeStringField("content", "\n\n"), null);
                        }
                        shown[index].text = true;
                    }
                    case ReplyEvent.Block.ToolCall call -> startCall(index, b.index(), call);
                    // the CLI's own tool calls were answered by the CLI: no place in a chunk
                    case ReplyEvent.Block.CliToolCall call -> { }
                    case ReplyEvent.Block.Thinking t -> { }
                }
            }
            case ReplyEvent.ToolInputDelta d -> arguments(index, d.index(), d.partialJson());
            case ReplyEvent.BlockStopped b -> {
                Call call = shown[index].calls.get(b.index());
                if (call != null && !call.arguments) {
                    arguments(index, b.index(), "{}"); // none streamed: clients parse the arguments, and "" is not JSON
                }
            }
            // signatures have no place in a chunk; streamed blocks (calls too) cannot be taken back
            case ReplyEvent.SignatureDelta d -> { }
            case ReplyEvent.BlocksAbandoned a -> { }
        }
        return true;
    }

    /** The first delta of a client tool call: its id, type and name, with empty arguments. */
    private void startCall(int index, int block, ReplyEvent.Block.ToolCall call) throws IOException {
        Map<Integer, Call> calls = shown[index].calls;
        if (legacyFunctions && !calls.isEmpty()) {
            return; // the deprecated form has one call per message: the others are not shown
        }
        int i = calls.size();
        calls.put(block, new Call(i));
        callDelta(index, i, g -> {
            g.writeStringField("id", call.id());
            g.writeStringField("type", "function");
        }, g -> {
            g.writeStringField("name", call.name());
            g.writeStringField("arguments", "");
        });
    }

    /** A fragment of a shown call's arguments JSON: a delta with only the call's index and the fragment. */
    private void arguments(int index, int block, String fragment) throws IOException {
        Call call = shown[index].calls.get(block);
        if (call == null || fragment.isEmpty()) {
            return; // a call not shown (the CLI's own, or a second legacy one), or nothing to add
        }
        call.arguments |= !fragment.isBlank();
        callDelta(index, call.index, g -> { }, g -> g.writeStringField("arguments", fragment));
    }

    /**
     * {@code "tool_calls":[{"index":call, head..., "function":{function...}}]}, or for the
     * deprecated form {@code "function_call":{function...}}.
     */
    private void callDelta(int index, int call, Json.Writer head, Json.Writer function) throws IOException {
        chunk(index, g -> {
            if (legacyFunctions) {
                g.writeObjectFieldStart("function_call");
                function.write(g);
                g.writeEndObject();
                return;
            }
            g.writeArrayFieldStart("tool_calls");
            g.writeStartObject();
            g.writeNumberField("index", call);
            head.write(g);
            g.writeObjectFieldStart("function");
            function.write(g);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        }, null);
    }

    private void chunk(int index, Json.Writer delta, String finishReason) throws IOException {
        sse.event(null, Json.bytes(g -> {
            head(g);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            Json.stringOrNull(g, "finish_reason", finishReason);
            g.writeEndObject();
            g.writeEndArray();
            if (includeUsage) {
                g.writeNullField("usage"); // every chunk but the last says so when usage was asked for
            }
            g.writeEndObject();
        }));
    }

    private void head(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
    }

    @Override
    public void close() throws IOException {
        sse.close();
    }
}
