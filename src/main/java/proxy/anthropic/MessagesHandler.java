package proxy.anthropic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Optional;
import proxy.chat.Conversation;
import proxy.chat.ReplyEvent;
import proxy.cli.CliEngine;
import proxy.http.Bodies;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.http.ImageUrls;
import proxy.http.RequestRecord;

/**
 * {@code POST /v1/messages}: the body becomes a conversation, the CLI runs it (the engine
 * enforces its stop sequences and max_tokens), and the reply goes back as an SSE stream or one
 * message.
 */
public final class MessagesHandler implements HttpHandler {

    /** The API's own limit for a request body (the CLI says the same: "Request too large (max 32MB)"). */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final CliEngine engine;
    private final ImageUrls images;

    public MessagesHandler(CliEngine engine, ImageUrls images) {
        this.engine = engine;
        this.images = images;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        MessagesRequest request = Bodies.parse(Bodies.read(exchange, MAX_BODY_BYTES), p -> MessagesRequest.read(p, images));
        if (!request.ignored().isEmpty()) {
            // the CLI cannot set sampling parameters: say so instead of pretending
            exchange.getResponseHeaders().set("x-claude-proxy-ignored", String.join(", ", request.ignored()));
        }
        Conversation conversation = request.conversation();
        String id = MessageJson.newMessageId();
        RequestRecord record = RequestRecord.of(exchange);
        record.request(request.model(), request.stream());
        if (request.stream()) {
            try (MessagesStream stream = new MessagesStream(exchange, id, request.model())) {
                record.cli(engine.run(conversation, record.observe(stream)));
                throwIfFailed(stream.failure());
            }
        } else {
            MessageBody body = new MessageBody();
            record.cli(engine.run(conversation, record.observe(body)));
            throwIfFailed(body.failure());
            Exchanges.sendJson(exchange, 200, body.json(id, request.model()));
        }
    }

    private static void throwIfFailed(Optional<ReplyEvent.Failed> failure) {
        if (failure.isPresent()) {
            throw HttpError.of(failure.get());
        }
    }
}
