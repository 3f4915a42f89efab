package proxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The proxy's own version, written into {@code version.txt} by the build. */
final class Version {

    static final String VALUE = read();

    private Version() {}

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.txt")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "dev";
        }
    }
}
