package proxy.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Optional;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyLimits;
import proxy.cli.CliEngine;
import proxy.http.Bodies;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.json.Json;

/**
 * {@code POST /v1/messages}: the body becomes a conversation, the CLI runs it, and the reply
 * goes back as an SSE stream or one message. Stop sequences and max_tokens are enforced here
 * (through {@link ReplyLimits}), since the CLI has no flags for them.
 */
public final class MessagesHandler implements HttpHandler {

    /** The API's own limit for a request body (the CLI says the same: "Request too large (max 32MB)"). */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final CliEngine engine;

    public MessagesHandler(CliEngine engine) {
        this.engine = engine;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        MessagesRequest request = parse(Bodies.read(exchange, MAX_BODY_BYTES));
        if (!request.ignored().isEmpty()) {
            // the CLI cannot set sampling parameters: say so instead of pretending
            exchange.getResponseHeaders().set("x-claude-proxy-ignored", String.join(", ", request.ignored()));
        }
        Conversation conversation = request.conversation();
        String id = MessageJson.newMessageId();
        if (request.stream()) {
            try (MessagesStream stream = new MessagesStream(exchange, id, request.model())) {
                engine.run(conversation, ReplyLimits.around(stream, conversation));
                throwIfFailed(stream.failure());
            }
        } else {
            MessageBody body = new MessageBody();
            engine.run(conversation, ReplyLimits.around(body, conversation));
            throwIfFailed(body.failure());
            Exchanges.sendJson(exchange, 200, body.json(id, request.model()));
        }
    }

    static MessagesRequest parse(byte[] body) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            MessagesRequest request = MessagesRequest.read(p);
            if (p.nextToken() != null) {
                throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON: unexpected content after the request object at "
                        + where(p.currentLocation()));
            }
            return request;
        } catch (StreamReadException e) {
            // jackson appends where an open array or object began; the position above is the one that matters
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", "").strip();
            throw new HttpError(ErrorKind.INVALID_REQUEST, "Invalid JSON at " + where(e.getLocation()) + ": " + why);
        }
    }

    private static String where(com.fasterxml.jackson.core.JsonLocation at) {
        return at == null ? "an unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static void throwIfFailed(Optional<ReplyEvent.Failed> failure) {
        if (failure.isPresent()) {
            ReplyEvent.Failed f = failure.get();
            HttpError e = new HttpError(f.kind(), f.message());
            throw f.retryAfter().isPresent() ? e.withRetryAfter(f.retryAfter().get()) : e;
        }
    }
}
