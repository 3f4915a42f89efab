package proxy.observe;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import proxy.chat.Usage;
import proxy.http.RequestRecord;
import proxy.json.Json;
import proxy.log.LogFields;

/**
 * One line per request on the logger {@code proxy.access}, once it has ended: id, method, path,
 * status, total time, API, model, stream or not, time to first token, tokens, cost and how the
 * CLI was had. As {@code key=value} text, or as the fields of the record's JSON object with
 * {@code --log-format json} ({@link LogFields}). No prompt or completion text, unless the
 * records keep bodies ({@code --log-bodies}).
 *
 * <p>Health checks, metric scrapes and the status page's polling that succeed are logged at
 * debug: they come every few seconds.
 */
public final class AccessLog extends Filter {

    private static final System.Logger LOG = System.getLogger("proxy.access");

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try {
            chain.doFilter(exchange);
        } finally {
            RequestRecord r = RequestRecord.of(exchange);
            Level level = r.monitoring() && r.status() == 200 ? Level.DEBUG : Level.INFO;
            if (LOG.isLoggable(level)) {
                LOG.log(level, "{0}", new Line(r));
            }
        }
    }

    @Override
    public String description() {
        return "access log";
    }

    /** {@code req_… POST /v1/messages 200 1.203s api=anthropic model=… stream=true ttft=0.412s in=… cli=live}. */
    static String text(RequestRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(r.id()).append(' ').append(r.method()).append(' ').append(token(r.path())).append(' ')
                .append(r.status() < 0 ? "-" : Integer.toString(r.status())).append(' ').append(seconds(r.seconds()));
        if (!r.api().isEmpty()) {
            b.append(" api=").append(r.api());
        }
        r.model().ifPresent(m -> b.append(" model=").append(token(m)));
        if (r.model().isPresent()) {
            b.append(" stream=").append(r.stream());
        }
        r.timeToFirstToken().ifPresent(t -> b.append(" ttft=").append(seconds(t)));
        r.usage().ifPresent(u -> b.append(" in=").append(u.inputTokens()).append(" out=").append(u.outputTokens())
                .append(" cache_read=").append(u.cacheReadInputTokens())
                .append(" cache_creation=").append(u.cacheCreationInputTokens()));
        r.costUsd().ifPresent(c -> b.append(" cost=").append(c.toPlainString()));
        if (r.model().isPresent()) {
            b.append(" cli=").append(r.cli().label());
        }
        r.requestBody().ifPresent(body -> b.append(" request=").append(quoted(body)));
        r.replyText().ifPresent(text -> b.append(" reply=").append(quoted(text)));
        return b.toString();
    }

    /** The record of one request, in either form. */
    record Line(RequestRecord r) implements LogFields {
        @Override
        public void write(JsonGenerator g) throws IOException {
            fields(g, r, true);
        }

        @Override
        public String toString() {
            return text(r);
        }
    }

    /** The fields of the JSON form; {@code bodies}: with the request and reply text, if the record kept them. */
    static void fields(JsonGenerator g, RequestRecord r, boolean bodies) throws IOException {
        g.writeStringField("id", r.id());
        g.writeStringField("method", r.method());
        g.writeStringField("path", r.path());
        g.writeNumberField("status", r.status());
        g.writeNumberField("seconds", round(r.seconds()));
        if (!r.api().isEmpty()) {
            g.writeStringField("api", r.api());
        }
        if (r.model().isPresent()) {
            g.writeStringField("model", r.model().get());
            g.writeBooleanField("stream", r.stream());
            g.writeStringField("cli", r.cli().label());
        }
        Optional<Double> ttft = r.timeToFirstToken();
        if (ttft.isPresent()) {
            g.writeNumberField("ttft_seconds", round(ttft.get()));
        }
        if (r.usage().isPresent()) {
            writeUsage(g, r.usage().get());
        }
        if (r.costUsd().isPresent()) {
            g.writeNumberField("cost_usd", r.costUsd().get());
        }
        if (bodies && r.requestBody().isPresent()) {
            g.writeStringField("request_body", r.requestBody().get());
        }
        if (bodies && r.replyText().isPresent()) {
            g.writeStringField("reply_text", r.replyText().get());
        }
    }

    private static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeNumberField("input_tokens", u.inputTokens());
        g.writeNumberField("output_tokens", u.outputTokens());
        g.writeNumberField("cache_read_input_tokens", u.cacheReadInputTokens());
        g.writeNumberField("cache_creation_input_tokens", u.cacheCreationInputTokens());
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3fs", s);
    }

    /** A value as one token of the line: as is when it is plain, else quoted like a JSON string. */
    private static String token(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c >= 0x7f) {
                return quoted(value);
            }
        }
        return value.isEmpty() ? "\"\"" : value;
    }

    private static String quoted(String value) {
        return new String(Json.bytes(g -> g.writeString(value)), StandardCharsets.UTF_8);
    }
}
