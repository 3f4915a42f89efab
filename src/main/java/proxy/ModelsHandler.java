package proxy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import proxy.chat.ErrorKind;
import proxy.http.Exchanges;
import proxy.http.HttpError;
import proxy.json.Json;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}, one body for both SDKs
 * (api-contract.md §3): each entry has OpenAI's {@code object/created/owned_by} and Anthropic's
 * {@code type/display_name/created_at}; the list has OpenAI's {@code object} and Anthropic's
 * paging fields. Each SDK ignores the other's.
 */
final class ModelsHandler implements HttpHandler {

    static final String PATH = "/v1/models";

    private final List<String> models;

    ModelsHandler(List<String> models) {
        this.models = List.copyOf(models);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String prefix = path.startsWith("/openai") ? "/openai" + PATH : PATH;
        if (path.equals(prefix)) {
            Exchanges.sendJson(exchange, 200, Json.bytes(this::list));
            return;
        }
        String id = java.net.URLDecoder.decode(path.substring(prefix.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
        if (!models.contains(id)) {
            throw new HttpError(ErrorKind.NOT_FOUND, "model: " + id).withCode("model_not_found");
        }
        Exchanges.sendJson(exchange, 200, Json.bytes(g -> model(g, id)));
    }

    private void list(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("object", "list");
        g.writeArrayFieldStart("data");
        for (String id : models) {
            model(g, id);
        }
        g.writeEndArray();
        g.writeBooleanField("has_more", false);
        g.writeStringField("first_id", models.get(0));
        g.writeStringField("last_id", models.get(models.size() - 1));
        g.writeEndObject();
    }

    private static void model(JsonGenerator g, String id) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "model");
        g.writeNumberField("created", 0); // unknown: the CLI does not say when a model was released
        g.writeStringField("owned_by", "anthropic");
        g.writeStringField("type", "model");
        g.writeStringField("display_name", displayName(id));
        g.writeStringField("created_at", "1970-01-01T00:00:00Z");
        g.writeEndObject();
    }

    /** {@code claude-opus-5-5} → "Claude Opus 5.5"; an alias such as {@code opus} → "Claude Opus (alias)". */
    static String displayName(String id) {
        String[] words = id.replaceFirst("^claude-", "").split("-");
        StringBuilder name = new StringBuilder("Claude");
        StringBuilder version = new StringBuilder();
        for (String w : words) {
            if (w.matches("\\d{1,2}")) {
                version.append(version.isEmpty() ? " " : ".").append(w);
            } else if (!w.matches("\\d{8}")) { // a release date suffix
                name.append(' ').append(w.substring(0, 1).toUpperCase(Locale.ROOT)).append(w.substring(1));
            }
        }
        return name.append(version.isEmpty() && !id.startsWith("claude-") ? " (alias)" : version).toString();
    }
}
