package proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import proxy.json.Json;

/** The requests real clients sent, captured under {@code src/test/resources/client-requests/} (see its README). */
public final class ClientCaptures {

    public static final Path DIR = Path.of("src/test/resources/client-requests");

    private ClientCaptures() {}

    /** A capture: its path and query, and the text of its {@code body} member exactly as stored. */
    public record Capture(String path, String query, String body) {
    }

    /** The captures whose request path {@code wanted} accepts, as file names relative to {@link #DIR}, sorted. */
    public static List<String> files(Predicate<String> wanted) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                Capture c = read(f);
                if (c != null && wanted.test(c.path())) {
                    out.add(DIR.relativize(f).toString().replace('\\', '/'));
                }
            }
        }
        return out;
    }

    /** The capture in {@code file}; null if it is not one (a client's config file). */
    public static Capture read(Path file) {
        try {
            String text = Files.readString(file);
            String path = null;
            String query = "";
            String body = null;
            try (JsonParser p = Json.FACTORY.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    JsonToken t = p.nextToken();
                    switch (name) {
                        case "path" -> path = p.getText();
                        case "query" -> query = t == JsonToken.VALUE_NULL ? "" : p.getText();
                        case "body" -> {
                            int from = (int) p.currentTokenLocation().getCharOffset();
                            p.skipChildren();
                            int to = (int) p.currentLocation().getCharOffset();
                            body = text.substring(from, to);
                        }
                        default -> p.skipChildren();
                    }
                }
            }
            return path == null || body == null ? null : new Capture(path, query, body);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}
