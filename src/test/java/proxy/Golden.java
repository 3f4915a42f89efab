package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Golden files: what a client receives, compared whole as text. Run with
 * {@code -Dgolden.update=true} to rewrite them, then review the diff like code.
 */
public final class Golden {

    private Golden() {
    }

    /** Status, the headers clients act on, and the body. */
    public static String transcript(HttpResponse<String> r) {
        StringBuilder sb = new StringBuilder("HTTP " + r.statusCode() + "\n");
        for (String h : List.of("content-type", "retry-after", "x-should-retry")) {
            r.headers().firstValue(h).ifPresent(v -> sb.append(h).append(": ").append(v).append('\n'));
        }
        return sb.append('\n').append(r.body()).toString();
    }

    public static void check(Path file, String actual) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(file, actual);
        }
        assertEquals(Files.readString(file), actual, file.getFileName().toString());
    }
}
