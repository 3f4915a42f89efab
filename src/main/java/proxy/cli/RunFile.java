package proxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** A text file for one CLI run (the system prompt), private to the proxy, deleted on close. */
final class RunFile implements AutoCloseable {

    private final Optional<Path> path;

    private RunFile(Optional<Path> path) {
        this.path = path;
    }

    /** A file holding {@code text} in {@code dir}, or an empty one when there is no text. */
    static RunFile of(Path dir, Optional<String> text) throws IOException {
        if (text.isEmpty()) {
            return new RunFile(Optional.empty());
        }
        Path file = Files.createTempFile(dir, "system-", ".txt");
        try {
            Files.writeString(file, text.get());
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new RunFile(Optional.of(file));
    }

    Optional<Path> path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (path.isPresent()) {
            Files.deleteIfExists(path.get());
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }
}
