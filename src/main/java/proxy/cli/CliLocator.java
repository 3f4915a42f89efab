package proxy.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the CLI executable: a value with a slash is a path; a bare name is looked up on the
 * {@code PATH} of the environment the CLI will get (not the JVM's idea of it).
 */
public final class CliLocator {

    private CliLocator() {}

    public static Optional<Path> find(String claude, Map<String, String> env) {
        try {
            if (claude.indexOf('/') >= 0) {
                Path p = Path.of(claude).toAbsolutePath().normalize();
                return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
            }
            String path = env.getOrDefault("PATH", "");
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, claude);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath().normalize());
                }
            }
        } catch (InvalidPathException e) {
            // fall through: not found
        }
        return Optional.empty();
    }

    /** Why {@link #find} came back empty, in words for {@code /health} and the log. */
    public static String notFoundReason(String claude) {
        return claude.indexOf('/') >= 0
                ? "the CLI '" + claude + "' does not exist or is not executable"
                : "'" + claude + "' was not found on PATH; install Claude Code or pass --claude";
    }
}
