package proxy.anthropic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.OptionalLong;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.Usage;
import proxy.cli.CliEngine;
import proxy.http.Bodies;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.http.RequestRecord;
import proxy.http.ImageUrls;
import proxy.json.Json;

/**
 * {@code POST /v1/messages/count_tokens} (api-contract.md §1.7): a messages body without
 * {@code max_tokens} or {@code stream}, answered with {@code {"input_tokens": N}} and nothing else.
 *
 * <p>The count is measured, never estimated: the CLI has no counting command, so the request
 * runs through the engine like a real one and N is what the upstream reported at
 * {@code message_start} (input plus cache-creation plus cache-read tokens). It therefore
 * includes Claude Code's own system prompt and the client's tools as the CLI serves them,
 * exactly as a {@code /v1/messages} request with the same body would. The CLI is stopped at
 * that first event, so the answer is not generated further, but <b>each count costs one
 * upstream request's input tokens</b>. Identical bodies (same bytes, same model) within
 * {@link TokenCountCache#TTL} are answered from a cache without running the CLI.
 *
 * <p>A failure before {@code message_start} is the error, with its status, in the Anthropic
 * envelope; a count the upstream did not report (zero) is a 502, never a made-up number. The CLI
 * is never kept for a next turn. It may, however, be one the engine kept or held for the same
 * conversation (its history matches): that process then ends with the count, and the next real
 * request with that history starts a fresh CLI.
 */
public final class CountTokensHandler implements HttpHandler {

    private final CliEngine engine;
    private final ImageUrls images;
    private final TokenCountCache cache = new TokenCountCache();

    public CountTokensHandler(CliEngine engine, ImageUrls images) {
        this.engine = engine;
        this.images = images;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = Bodies.read(exchange, MessagesHandler.MAX_BODY_BYTES);
        MessagesRequest request = Bodies.parse(body, p -> MessagesRequest.read(p, images, false));
        RequestRecord record = RequestRecord.of(exchange);
        record.request(request.model(), false);
        String key = TokenCountCache.key(body, request.model());
        OptionalLong cached = cache.get(key);
        long count;
        if (cached.isPresent()) {
            count = cached.getAsLong();
        } else {
            count = measure(request, record);
            cache.put(key, count);
        }
        Exchanges.sendJson(exchange, 200, Json.bytes(g -> {
            g.writeStartObject();
            g.writeNumberField("input_tokens", count);
            g.writeEndObject();
        }));
    }

    /** Runs the request up to its first event: the input tokens it reported, or the failure as an {@link HttpError}. */
    private long measure(MessagesRequest request, RequestRecord record) throws IOException {
        FirstEvent first = new FirstEvent();
        record.cli(engine.run(request.conversation(), first, false)); // false: the CLI is not kept
        return switch (first.event) {
            case ReplyEvent.Failed f -> throw HttpError.of(f);
            case ReplyEvent.Started s when inputTokens(s.usage()) > 0 -> inputTokens(s.usage());
            case null, default -> throw new HttpError(ErrorKind.BAD_GATEWAY,
                    "The Claude CLI did not report the input token count");
        };
    }

    /** What the model reads: fresh input and both kinds of cached input. */
    static long inputTokens(Usage u) {
        return u.inputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens();
    }

    /**
     * Takes the reply's first event and wants nothing more: the engine then stops the CLI at
     * once. A reply begins with {@code Started} or {@code Failed} (ReplyEvent's contract).
     */
    private static final class FirstEvent implements ReplySink {
        ReplyEvent event;

        @Override
        public boolean accept(ReplyEvent e) {
            if (event == null) {
                event = e;
            }
            return false;
        }
    }
}
