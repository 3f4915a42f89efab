package proxy.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.Usage;
import proxy.json.Json;
import proxy.json.Node;
import proxy.responses.ResponseOutput.FunctionCall;
import proxy.responses.ResponseOutput.Item;
import proxy.responses.ResponseOutput.Message;
import proxy.responses.ResponseOutput.Reasoning;

/**
 * Writes the {@code response} object of one request, at any point of its reply: what is fixed
 * from the start (id, {@code created_at} in seconds, the model as the client named it, the
 * request fields it repeats) and what its {@link ResponseOutput} holds so far (status, error,
 * {@code incomplete_details}, output items, usage: null until the reply finished).
 *
 * <p>{@code output_text} is not written: it is no wire field, the SDKs compute it from the
 * items. The repeated request fields are written as the client sent them, JSON null included;
 * a field not sent gets the API's default.
 */
final class ResponseJson {

    private final String id;
    private final long createdAt;
    private final String model;
    private final ResponseEcho echo;

    ResponseJson(String id, long createdAt, String model, ResponseEcho echo) {
        this.id = id;
        this.createdAt = createdAt;
        this.model = model;
        this.echo = echo;
    }

    String id() {
        return id;
    }

    /** The whole object as UTF-8 JSON. */
    byte[] render(ResponseOutput output) {
        return Json.bytes(g -> write(g, output));
    }

    void write(JsonGenerator g, ResponseOutput output) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "response");
        g.writeNumberField("created_at", createdAt);
        g.writeStringField("status", output.status().wireName());
        g.writeFieldName("error");
        if (output.failure().isPresent()) {
            ReplyEvent.Failed f = output.failure().get();
            g.writeStartObject();
            g.writeStringField("code", errorCode(f.kind()));
            g.writeStringField("message", errorMessage(f));
            g.writeEndObject();
        } else {
            g.writeNull();
        }
        g.writeFieldName("incomplete_details");
        if (output.incompleteReason().isPresent()) {
            g.writeStartObject();
            g.writeStringField("reason", output.incompleteReason().get());
            g.writeEndObject();
        } else {
            g.writeNull();
        }
        echoed(g, "instructions");
        echoed(g, "max_output_tokens");
        g.writeStringField("model", model);
        g.writeArrayFieldStart("output");
        for (Item item : output.items()) {
            item(g, item, true);
        }
        g.writeEndArray();
        for (String name : new String[] {"parallel_tool_calls", "previous_response_id", "reasoning", "store",
                "temperature", "text", "tool_choice", "tools", "top_p", "truncation"}) {
            echoed(g, name);
        }
        g.writeFieldName("usage");
        if (output.usage().isPresent()) {
            usage(g, output.usage().get());
        } else {
            g.writeNull();
        }
        echoed(g, "user");
        echoed(g, "metadata");
        g.writeEndObject();
    }

    /** {@code "name": value}: as the client sent it, else the API's default. */
    private void echoed(JsonGenerator g, String name) throws IOException {
        g.writeFieldName(name);
        Node sent = echo.fields().get(name);
        if (sent != null) {
            sent.write(g);
            return;
        }
        switch (name) {
            case "metadata" -> {
                g.writeStartObject();
                g.writeEndObject();
            }
            case "parallel_tool_calls", "store" -> g.writeBoolean(true);
            case "reasoning" -> {
                g.writeStartObject();
                g.writeNullField("effort");
                g.writeNullField("summary");
                g.writeEndObject();
            }
            case "temperature", "top_p" -> g.writeNumber(1.0);
            case "text" -> {
                g.writeStartObject();
                g.writeObjectFieldStart("format");
                g.writeStringField("type", "text");
                g.writeEndObject();
                g.writeEndObject();
            }
            case "tool_choice" -> g.writeString("auto");
            case "tools" -> {
                g.writeStartArray();
                g.writeEndArray();
            }
            case "truncation" -> g.writeString("disabled");
            default -> g.writeNull(); // instructions, max_output_tokens, previous_response_id, user
        }
    }

    /**
     * An output item. {@code whole} false gives it as {@code response.output_item.added} shows
     * it: a message without content, reasoning without summary (their parts are added by their
     * own events), a call with the arguments so far (none).
     */
    static void item(JsonGenerator g, Item item, boolean whole) throws IOException {
        g.writeStartObject();
        switch (item) {
            case Message m -> {
                g.writeStringField("type", "message");
                g.writeStringField("id", m.id);
                g.writeStringField("status", m.status.wireName());
                g.writeStringField("role", "assistant");
                g.writeArrayFieldStart("content");
                if (whole) {
                    part(g, m);
                }
                g.writeEndArray();
            }
            case Reasoning r -> {
                g.writeStringField("type", "reasoning");
                g.writeStringField("id", r.id);
                g.writeArrayFieldStart("summary");
                if (whole) {
                    part(g, r);
                }
                g.writeEndArray();
            }
            case FunctionCall c -> {
                g.writeStringField("type", "function_call");
                g.writeStringField("id", c.id);
                g.writeStringField("call_id", c.callId);
                g.writeStringField("name", c.name);
                if (c.namespace.isPresent()) {
                    g.writeStringField("namespace", c.namespace.get());
                }
                g.writeStringField("arguments", c.text.toString());
                g.writeStringField("status", c.status.wireName());
            }
        }
        g.writeEndObject();
    }

    /** The one part of a message ({@code output_text}) or of a reasoning summary ({@code summary_text}), with its text so far. */
    static void part(JsonGenerator g, Item item) throws IOException {
        g.writeStartObject();
        if (item instanceof Message) {
            g.writeStringField("type", "output_text");
            g.writeStringField("text", item.text.toString());
            g.writeArrayFieldStart("annotations");
            g.writeEndArray();
        } else {
            g.writeStringField("type", "summary_text");
            g.writeStringField("text", item.text.toString());
        }
        g.writeEndObject();
    }

    /**
     * {@code "usage"}: input tokens count the cached ones too, as the Anthropic usage doc says;
     * cache reads are {@code cached_tokens}, cache writes {@code cache_write_tokens} (the SDKs'
     * newer field). Reasoning tokens are not counted apart: the CLI reports none.
     */
    static void usage(JsonGenerator g, Usage u) throws IOException {
        long input = u.inputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens();
        g.writeStartObject();
        g.writeNumberField("input_tokens", input);
        g.writeObjectFieldStart("input_tokens_details");
        g.writeNumberField("cached_tokens", u.cacheReadInputTokens());
        g.writeNumberField("cache_write_tokens", u.cacheCreationInputTokens());
        g.writeEndObject();
        g.writeNumberField("output_tokens", u.outputTokens());
        g.writeObjectFieldStart("output_tokens_details");
        g.writeNumberField("reasoning_tokens", 0);
        g.writeEndObject();
        g.writeNumberField("total_tokens", input + u.outputTokens());
        if (u.costUsd().isPresent()) { // the proxy's own field: what the CLI says the turn cost
            g.writeNumberField("cost_usd", u.costUsd().get());
        }
        g.writeEndObject();
    }

    /**
     * The {@code error.code} of a failed response, from the SDKs' list: a request the upstream
     * refused as such is {@code invalid_prompt}; a rate limit is {@code rate_limit_exceeded}
     * (Codex then reads the wait from the message); everything else, the proxy's or the CLI's
     * own trouble, is {@code server_error}.
     */
    static String errorCode(ErrorKind kind) {
        return switch (kind) {
            // a closed list in the API (no room for third_party_app_refused); the message names it
            case INVALID_REQUEST, REQUEST_TOO_LARGE, NOT_FOUND, THIRD_PARTY_REFUSED -> "invalid_prompt";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case AUTHENTICATION, PERMISSION, METHOD_NOT_ALLOWED, INTERNAL, BAD_GATEWAY, UNAVAILABLE, TIMEOUT,
                    OVERLOADED -> "server_error";
        };
    }

    /**
     * The failure's message, with a known wait added as OpenAI words it ("Please try again in
     * 20s."), the one place a failed response has room for it, and where Codex looks.
     */
    static String errorMessage(ReplyEvent.Failed f) {
        if (f.retryAfter().isEmpty() || f.message().toLowerCase(java.util.Locale.ROOT).contains("try again in")) {
            return f.message();
        }
        long seconds = Math.max(1, (f.retryAfter().get().toMillis() + 999) / 1000);
        String wait = "Please try again in " + seconds + "s.";
        String message = f.message().strip();
        return message.isEmpty() ? wait : message + (message.endsWith(".") ? " " : ". ") + wait;
    }
}
