package proxy.openai;

import proxy.http.ImageUrls;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import proxy.chat.Conversation;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.cli.CliEngine;
import proxy.config.Config;
import proxy.http.Bodies;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.http.RequestRecord;

/**
 * {@code POST /v1/chat/completions}: the body becomes a conversation, each of its {@code n}
 * choices runs as its own CLI process (in parallel, on virtual threads), and the replies go
 * back as one chunk stream or one completion (the engine enforces stop sequences and max
 * tokens).
 */
public final class ChatCompletionsHandler implements HttpHandler {

    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final CliEngine engine;
    private final ModelMap models;
    private final ImageUrls images;
    private final int maxN;

    public ChatCompletionsHandler(CliEngine engine, Config config, ImageUrls images) {
        this.engine = engine;
        this.models = new ModelMap(config.models(), config.modelMap());
        this.images = images;
        this.maxN = config.maxN();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        ChatRequest request = Bodies.parse(Bodies.read(exchange, MAX_BODY_BYTES), p -> ChatRequest.read(p, models, images, maxN));
        if (!request.ignored().isEmpty()) {
            // the CLI cannot set sampling parameters: say so instead of pretending
            exchange.getResponseHeaders().set("x-claude-proxy-ignored", String.join(", ", request.ignored()));
        }
        Conversation conversation = request.conversation();
        RequestRecord record = RequestRecord.of(exchange);
        record.request(request.model(), request.stream());
        boolean reasoning = conversation.thinking();
        String id = ChatChunks.newId();
        long created = System.currentTimeMillis() / 1000; // OpenAI counts seconds
        if (request.stream()) {
            try (ChatStream stream = new ChatStream(exchange, id, created, request.model(), request.n(),
                    request.includeUsage(), reasoning, request.legacyFunctions())) {
                runChoices(conversation, request.n(), i -> record.observe(stream.choice(i)), record);
                throwIfFailed(stream.failure());
            }
        } else {
            ChatBody body = new ChatBody(request.n(), request.legacyFunctions());
            runChoices(conversation, request.n(), i -> record.observe(body.choice(i)), record);
            throwIfFailed(body.failure());
            Exchanges.sendJson(exchange, 200, body.json(id, created, request.model(), reasoning));
        }
    }

    /** Runs the {@code n} choices, the first on this thread and the others on virtual threads, and waits for all. */
    private void runChoices(Conversation conversation, int n, IntFunction<ReplySink> sinks, RequestRecord record)
            throws IOException {
        List<Thread> others = new ArrayList<>();
        IOException[] clientGone = new IOException[1];
        for (int i = 1; i < n; i++) {
            ReplySink sink = sinks.apply(i);
            others.add(Thread.ofVirtual().name("choice-" + i).start(() -> {
                try {
                    record.cli(engine.run(conversation, sink, false));
                } catch (IOException e) {
                    synchronized (clientGone) {
                        clientGone[0] = e;
                    }
                }
            }));
        }
        try {
            // with several choices the client goes on with at most one: keep none of their CLIs
            record.cli(engine.run(conversation, sinks.apply(0), n == 1));
        } finally {
            for (Thread t : others) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while choices ran", e);
                }
            }
        }
        synchronized (clientGone) {
            if (clientGone[0] != null) {
                throw clientGone[0];
            }
        }
    }

    private static void throwIfFailed(Optional<ReplyEvent.Failed> failure) {
        if (failure.isPresent()) {
            throw HttpError.of(failure.get());
        }
    }
}
