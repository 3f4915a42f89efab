package proxy.responses;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.Turn;
import proxy.cli.CliEngine;
import proxy.config.Config;
import proxy.http.Bodies;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.http.ImageUrls;
import proxy.http.RequestIds;
import proxy.json.Json;
import proxy.openai.ModelMap;
import proxy.http.RequestRecord;

/**
 * The OpenAI Responses API: {@code POST /v1/responses} runs a request's input (after the turns
 * of its {@code previous_response_id}, if any) like a Chat Completions request and answers with
 * a {@code response} object or its event stream; {@code GET} and {@code DELETE
 * /v1/responses/{id}} read and forget stored ones. A stored response keeps its conversation,
 * not its CLI: the next request finds a live CLI by its history as any other request does, so
 * {@code store: false} clients that re-send the whole history (Codex) continue on it too.
 */
public final class ResponsesHandler {

    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final String PATH = "/v1/responses/";

    private final CliEngine engine;
    private final ModelMap models;
    private final ImageUrls images;
    private final ResponseStore store;

    public ResponsesHandler(CliEngine engine, Config config, ImageUrls images) {
        this.engine = engine;
        this.models = new ModelMap(config);
        this.images = images;
        this.store = new ResponseStore(config.responses().max(), config.responses().maxAge());
    }

    /** {@code POST /v1/responses}. */
    public void create(HttpExchange exchange) throws IOException {
        ResponsesRequest request = Bodies.parse(Bodies.read(exchange, MAX_BODY_BYTES), p -> ResponsesRequest.read(p, models, images));
        if (!request.ignored().isEmpty()) {
            exchange.getResponseHeaders().set("x-claude-proxy-ignored", String.join(", ", request.ignored()));
        }
        Conversation conversation = withPrevious(request);
        String id = RequestIds.newId("resp_");
        RequestRecord record = RequestRecord.of(exchange);
        record.request(request.model(), request.stream());
        long createdAt = System.currentTimeMillis() / 1000;
        if (request.stream()) {
            try (ResponseStream stream = new ResponseStream(exchange, id, createdAt, request.model(), request.echo(),
                    request.functions(), request.reasoningSummary())) {
                if (request.store()) {
                    stream.beforeEnd(() -> store(id, conversation, stream.output(), stream.response()));
                }
                record.cli(engine.run(conversation, record.observe(stream)));
                throwIfFailed(stream.failure());
            }
        } else {
            ResponseOutput output = new ResponseOutput(id, request.functions(), request.reasoningSummary());
            record.cli(engine.run(conversation, record.observe(output)));
            throwIfFailed(output.failure());
            byte[] json = new ResponseJson(id, createdAt, request.model(), request.echo()).render(output);
            if (request.store()) {
                store(id, conversation, output, json); // before the client has it: it may follow up at once
            }
            Exchanges.sendJson(exchange, 200, json);
        }
    }

    private void store(String id, Conversation conversation, ResponseOutput output, byte[] json) {
        List<Turn> turns = new ArrayList<>(conversation.turns());
        turns.add(output.turn());
        store.put(id, turns, json);
    }

    /** The request's conversation after the stored turns of its {@code previous_response_id}. */
    private Conversation withPrevious(ResponsesRequest request) {
        Conversation c = request.conversation();
        if (request.previousResponseId().isEmpty()) {
            return c;
        }
        String previous = request.previousResponseId().get();
        ResponseStore.Stored stored = store.get(previous).orElseThrow(() -> new HttpError(ErrorKind.INVALID_REQUEST,
                "Previous response with id '" + previous + "' not found.")
                .withParam("previous_response_id").withCode("previous_response_not_found"));
        List<Turn> turns = new ArrayList<>(stored.turns());
        turns.addAll(c.turns());
        return new Conversation(c.model(), c.system(), turns, c.maxTokens(), c.stopSequences(), c.thinking(),
                c.thinkingBudget(), c.effort(), c.jsonSchema(), c.tools());
    }

    /** {@code GET /v1/responses/{id}}: a stored response, as it was answered. */
    public void retrieve(HttpExchange exchange) throws IOException {
        String id = id(exchange);
        ResponseStore.Stored stored = store.get(id).orElseThrow(() -> notFound(id));
        Exchanges.sendJson(exchange, 200, stored.json());
    }

    /** {@code DELETE /v1/responses/{id}}. */
    public void delete(HttpExchange exchange) throws IOException {
        String id = id(exchange);
        if (!store.delete(id)) {
            throw notFound(id);
        }
        Exchanges.sendJson(exchange, 200, Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "response.deleted");
            g.writeBooleanField("deleted", true);
            g.writeEndObject();
        }));
    }

    private static String id(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String id = path.substring(path.indexOf(PATH) + PATH.length());
        if (id.isEmpty() || id.contains("/")) {
            throw HttpError.notFound(exchange.getRequestMethod(), path);
        }
        return id;
    }

    private static HttpError notFound(String id) {
        return new HttpError(ErrorKind.NOT_FOUND, "Response with id '" + id + "' not found.");
    }

    private static void throwIfFailed(Optional<ReplyEvent.Failed> failure) {
        if (failure.isPresent()) {
            throw HttpError.of(failure.get());
        }
    }
}
