package proxy.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.json.Json;
import proxy.responses.ResponseOutput.FunctionCall;
import proxy.responses.ResponseOutput.Item;
import proxy.responses.ResponseOutput.Message;
import proxy.responses.ResponseOutput.Reasoning;
import proxy.sse.SseWriter;

/**
 * A reply as a Responses API event stream (api-contract.md §4): frames {@code event: <type>}
 * with {@code data} carrying the same {@code type} and a {@code sequence_number} counting from
 * 0. It opens with {@code response.created} and {@code response.in_progress} (the response
 * {@code in_progress}, no output, no usage); each output item then shows as
 * {@code response.output_item.added}, its part added ({@code content_part} for a message,
 * {@code reasoning_summary_part} for reasoning), its deltas, its {@code .done} events with the
 * whole text or arguments, and {@code response.output_item.done} with the whole item (see
 * {@link ResponseOutput} for what becomes an item). It ends with exactly one of
 * {@code response.completed}, {@code response.incomplete} or {@code response.failed}, carrying
 * the whole response, whose output is the items as their {@code output_item.done} showed
 * them. There is no {@code [DONE]}.
 *
 * <p>The 200 goes out with the reply's start, or earlier when the reply is slow to start
 * ({@link #quiet}): then {@code response.created} goes out at once, since a client (Codex)
 * counts a stream as heard only from it. A failure before the stream opened is answered with
 * an HTTP status ({@link #failure}); after it, with {@code response.failed}. Later keep-alives
 * are SSE comments. Every write holds one lock, so a keep-alive may come from another thread.
 */
final class ResponseStream implements ReplySink, Closeable {

    private final SseWriter sse;
    private final ResponseJson json;
    private final ResponseOutput output;
    private final ReentrantLock lock = new ReentrantLock();
    private long sequence;
    private boolean created;
    /** The terminal event went out, or the client is gone: nothing more is written. */
    private boolean ended;
    /** Runs before a completed or incomplete response's terminal event goes out. */
    private Runnable beforeEnd = () -> { };

    ResponseStream(HttpExchange exchange, String id, long createdAt, String model, ResponseEcho echo,
            Map<String, FunctionName> functions, boolean reasoningSummary) {
        this.sse = new SseWriter(exchange);
        this.json = new ResponseJson(id, createdAt, model, echo);
        this.output = new ResponseOutput(id, functions, reasoningSummary, new Shown());
    }

    /**
     * Has {@code action} run just before the terminal event of a response that did not fail
     * (the handler stores it there: a client that follows up the moment it sees the event finds it).
     */
    void beforeEnd(Runnable action) {
        this.beforeEnd = action;
    }

    /** A failure that came before the stream opened: the handler answers it with a status. */
    Optional<ReplyEvent.Failed> failure() {
        return sse.isOpen() ? Optional.empty() : output.failure();
    }

    /** The output as streamed: status, items, usage, and the turn for the store. */
    ResponseOutput output() {
        return output;
    }

    /** The response object as the stream's last event carried it (or so far, if it has not ended). */
    byte[] response() {
        return json.render(output);
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            try {
                return write(event);
            } catch (IOException e) {
                ended = true; // the client is gone
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean write(ReplyEvent event) throws IOException {
        if (event instanceof ReplyEvent.Failed && !sse.isOpen()) {
            output.accept(event); // nothing sent yet: the handler answers with a status
            ended = true;
            return false;
        }
        begin();
        if (output.accept(event)) {
            return true;
        }
        String type = switch (output.status()) {
            case COMPLETED -> "response.completed";
            case INCOMPLETE -> "response.incomplete";
            case FAILED -> "response.failed";
            case IN_PROGRESS -> throw new IllegalStateException("the output ended in progress");
        };
        ended = true;
        if (output.status() != ResponseOutput.Status.FAILED) {
            beforeEnd.run();
        }
        event(type, g -> {
            g.writeFieldName("response");
            json.write(g, output);
        });
        sse.flush();
        return false;
    }

    /** Opens the stream and sends {@code response.created} and {@code response.in_progress}, once. */
    private void begin() throws IOException {
        if (!sse.isOpen()) {
            sse.open();
        }
        if (!created) {
            created = true;
            for (String type : new String[] {"response.created", "response.in_progress"}) {
                event(type, g -> {
                    g.writeFieldName("response");
                    json.write(g, output);
                });
            }
        }
    }

    /**
     * While nothing happens: before the reply started, the stream opens with
     * {@code response.created} and {@code response.in_progress}, so the client knows it was
     * heard; after that, a comment, which clients skip, keeps the connection alive.
     */
    @Override
    public boolean quiet() throws IOException {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            try {
                if (created) {
                    sse.comment("keepalive");
                } else {
                    begin();
                    sse.flush();
                }
            } catch (IOException e) {
                ended = true;
                throw e;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            sse.flush();
        } catch (IOException e) {
            ended = true;
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the stream. One that opened but got no end of its reply (the engine stopped on an
     * unexpected error) still gets its one terminal event, {@code response.failed}, so clients
     * do not wait for a {@code response.completed} that never comes.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (sse.isOpen() && !ended) {
                try {
                    write(new ReplyEvent.Failed(ErrorKind.INTERNAL, "The reply ended unexpectedly"));
                } catch (IOException e) {
                    ended = true; // the client is gone: there is no one to tell
                }
            }
            sse.close();
        } finally {
            lock.unlock();
        }
    }

    /** One event: {@code {"type":..., "sequence_number":..., fields...}}. */
    private void event(String type, Json.Writer fields) throws IOException {
        long number = sequence++;
        sse.event(type, Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeNumberField("sequence_number", number);
            fields.write(g);
            g.writeEndObject();
        }));
    }

    /** The item events; the fields each carries are those of the SDKs' event types. */
    private final class Shown implements ResponseOutput.Steps {

        @Override
        public void added(Item item) throws IOException {
            event("response.output_item.added", g -> {
                g.writeNumberField("output_index", item.outputIndex);
                g.writeFieldName("item");
                ResponseJson.item(g, item, false);
            });
            if (!(item instanceof FunctionCall)) {
                event(item instanceof Message ? "response.content_part.added" : "response.reasoning_summary_part.added",
                        g -> {
                            at(g, item);
                            g.writeFieldName("part");
                            ResponseJson.part(g, item);
                        });
            }
        }

        @Override
        public void delta(Item item, String delta) throws IOException {
            switch (item) {
                case Message m -> event("response.output_text.delta", g -> {
                    at(g, m);
                    g.writeStringField("delta", delta);
                    noLogprobs(g);
                });
                case Reasoning r -> event("response.reasoning_summary_text.delta", g -> {
                    at(g, r);
                    g.writeStringField("delta", delta);
                });
                case FunctionCall c -> event("response.function_call_arguments.delta", g -> {
                    at(g, c);
                    g.writeStringField("delta", delta);
                });
            }
        }

        @Override
        public void done(Item item) throws IOException {
            String text = item.text.toString();
            switch (item) {
                case Message m -> {
                    event("response.output_text.done", g -> {
                        at(g, m);
                        g.writeStringField("text", text);
                        noLogprobs(g);
                    });
                    event("response.content_part.done", g -> {
                        at(g, m);
                        g.writeFieldName("part");
                        ResponseJson.part(g, m);
                    });
                }
                case Reasoning r -> {
                    event("response.reasoning_summary_text.done", g -> {
                        at(g, r);
                        g.writeStringField("text", text);
                    });
                    event("response.reasoning_summary_part.done", g -> {
                        at(g, r);
                        g.writeFieldName("part");
                        ResponseJson.part(g, r);
                    });
                }
                case FunctionCall c -> event("response.function_call_arguments.done", g -> {
                    at(g, c);
                    g.writeStringField("name", c.name);
                    g.writeStringField("arguments", text);
                });
            }
            event("response.output_item.done", g -> {
                g.writeNumberField("output_index", item.outputIndex);
                g.writeFieldName("item");
                ResponseJson.item(g, item, true);
            });
        }

        /** Where an event belongs: the item, its output index, and its one part (a call has none). */
        private static void at(JsonGenerator g, Item item) throws IOException {
            g.writeStringField("item_id", item.id);
            g.writeNumberField("output_index", item.outputIndex);
            switch (item) {
                case Message m -> g.writeNumberField("content_index", 0);
                case Reasoning r -> g.writeNumberField("summary_index", 0);
                case FunctionCall c -> { }
            }
        }

        private static void noLogprobs(JsonGenerator g) throws IOException {
            g.writeArrayFieldStart("logprobs");
            g.writeEndArray();
        }
    }
}
