package proxy.anthropic;

import com.sun.net.httpserver.HttpExchange;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.http.RequestIds;
import proxy.json.Json;
import proxy.sse.SseWriter;

/**
 * A reply as an Anthropic SSE stream (api-contract.md §1.5): {@code message_start}, blocks,
 * {@code message_delta}, {@code message_stop}, sent as they come (frames that arrive together
 * in one write). The 200 goes out
 * with the first event of the reply, so a CLI that fails before answering still gets a real
 * HTTP status ({@link #failure}); after that, a failure is an {@code error} event.
 */
final class MessagesStream implements ReplySink, Closeable {

    private final SseWriter sse;
    private final HttpExchange exchange;
    private final String id;
    private final String requestedModel;
    private ReplyEvent.Failed failure;

    MessagesStream(HttpExchange exchange, String id, String requestedModel) {
        this.exchange = exchange;
        this.sse = new SseWriter(exchange);
        this.id = id;
        this.requestedModel = requestedModel;
    }

    /** A failure that came before the stream opened: the handler answers it with a status. */
    Optional<ReplyEvent.Failed> failure() {
        return sse.isOpen() ? Optional.empty() : Optional.ofNullable(failure);
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        switch (event) {
            case ReplyEvent.Started s -> {
                if (!sse.isOpen()) {
                    sse.open();
                }
                sse.event("message_start", Json.bytes(g -> {
                    g.writeStartObject();
                    g.writeStringField("type", "message_start");
                    g.writeObjectFieldStart("message");
                    g.writeStringField("id", id);
                    g.writeStringField("type", "message");
                    g.writeStringField("role", "assistant");
                    g.writeStringField("model", s.model().isEmpty() ? requestedModel : s.model());
                    g.writeArrayFieldStart("content");
                    g.writeEndArray();
                    g.writeNullField("stop_reason");
                    g.writeNullField("stop_sequence");
                    MessageJson.usage(g, s.usage());
                    g.writeEndObject();
                    g.writeEndObject();
                }));
            }
            case ReplyEvent.BlockStarted b -> sse.event("content_block_start", Json.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("type", "content_block_start");
                g.writeNumberField("index", b.index());
                g.writeFieldName("content_block");
                MessageJson.emptyBlock(g, b.block());
                g.writeEndObject();
            }));
            case ReplyEvent.TextDelta d -> delta(d.index(), "text_delta", "text", d.text());
            case ReplyEvent.ThinkingDelta d -> delta(d.index(), "thinking_delta", "thinking", d.thinking());
            case ReplyEvent.SignatureDelta d -> delta(d.index(), "signature_delta", "signature", d.signature());
            case ReplyEvent.ToolInputDelta d -> delta(d.index(), "input_json_delta", "partial_json", d.partialJson());
            case ReplyEvent.BlockStopped b -> sse.event("content_block_stop", Json.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("type", "content_block_stop");
                g.writeNumberField("index", b.index());
                g.writeEndObject();
            }));
            case ReplyEvent.BlocksAbandoned a -> { } // already sent; a stream cannot take blocks back
            case ReplyEvent.Finished f -> {
                sse.event("message_delta", Json.bytes(g -> {
                    g.writeStartObject();
                    g.writeStringField("type", "message_delta");
                    g.writeObjectFieldStart("delta");
                    g.writeStringField("stop_reason", f.reason().wireName());
                    Json.stringOrNull(g, "stop_sequence", f.stopSequence().orElse(null));
                    g.writeEndObject();
                    MessageJson.usage(g, f.usage());
                    g.writeEndObject();
                }));
                sse.event("message_stop", "{\"type\":\"message_stop\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return false;
            }
            case ReplyEvent.Failed f -> {
                failure = f;
                if (sse.isOpen()) {
                    sse.event("error", Json.bytes(g ->
                            AnthropicErrors.write(g, f.kind(), f.message(), RequestIds.of(exchange))));
                }
                return false;
            }
        }
        return true;
    }

    private void delta(int index, String type, String field, String value) throws IOException {
        sse.event("content_block_delta", Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            g.writeStringField("type", type);
            g.writeStringField(field, value);
            g.writeEndObject();
            g.writeEndObject();
        }));
    }

    /**
     * While nothing happens, a {@code ping} keeps the connection (and idle-timeout proxies)
     * alive. Before {@code message_start} (the request waits for a free CLI, or the CLI is slow
     * to start) the stream opens with a comment, which every SSE client skips, so the client
     * knows it was heard; a failure after that is an {@code error} event.
     */
    @Override
    public boolean quiet() throws IOException {
        if (sse.isOpen()) {
            sse.event("ping", "{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sse.flush();
        } else {
            sse.open();
            sse.comment("waiting");
        }
        return true;
    }

    @Override
    public void flush() throws IOException {
        sse.flush();
    }

    @Override
    public void close() throws IOException {
        sse.close();
    }
}
