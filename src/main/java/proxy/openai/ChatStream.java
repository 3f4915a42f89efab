package proxy.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    private final ReentrantLock lock = new ReentrantLock();
    private final boolean[] hadText;
    private int finishedChoices;
    private Usage usage = Usage.ZERO;
    private ReplyEvent.Failed failure;
    private boolean ended;

    ChatStream(HttpExchange exchange, String id, long created, String model, int choices, boolean includeUsage,
            boolean reasoning) {
        this.sse = new SseWriter(exchange);
        this.id = id;
        this.created = created;
        this.model = model;
        this.choices = choices;
        this.includeUsage = includeUsage;
        this.reasoning = reasoning;
        this.hadText = new boolean[choices];
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
                chunk(index, g -> { }, ChatChunks.finishReason(f.reason()));
                usage = ChatChunks.add(usage, f.usage());
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
                if (b.block() instanceof ReplyEvent.Block.Text) {
                    if (hadText[index]) {
                        // text blocks around the CLI's tool rounds are paragraphs of one content string
                        chunk(index, g -> g.writeStringField("content", "\n\n"), null);
                    }
                    hadText[index] = true;
                }
            }
            // signatures and the CLI's own tool calls (already answered) have no place in a chunk
            case ReplyEvent.BlockStopped b -> { }
            case ReplyEvent.SignatureDelta d -> { }
            case ReplyEvent.ToolInputDelta d -> { }
            case ReplyEvent.BlocksAbandoned a -> { }
        }
        return true;
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
