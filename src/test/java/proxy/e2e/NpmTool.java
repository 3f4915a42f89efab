package proxy.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line program from npm for end-to-end tests (the Claude Code CLI, a client such as
 * Codex): installed into {@code target/<dir>} (tests run with the project directory as working
 * directory), once per JVM. Without npm or without a reachable npm registry the calling test is
 * aborted (skipped); any other install failure fails it.
 */
final class NpmTool {

    private static final List<String> NETWORK_ERRORS =
            List.of("enotfound", "eai_again", "etimedout", "econnrefused", "econnreset", "network");

    private final String pkg;
    private final String version;
    private final Path prefix;
    private final Path bin;
    /** The outcome of the one install attempt of this JVM: the binary, or why tests are skipped. */
    private Path installed;
    private String skipped;

    /**
     * @param pkg     the npm package
     * @param version its exact version; its {@code --version} prints a line starting or ending with it
     * @param dir     where under {@code target/} it is installed
     * @param bin     the command it installs
     */
    NpmTool(String pkg, String version, String dir, String bin) {
        this.pkg = pkg;
        this.version = version;
        this.prefix = Path.of("target", dir).toAbsolutePath();
        this.bin = prefix.resolve("node_modules/.bin/" + bin);
    }

    /** The command, installing it first if needed; aborts the test if npm or its registry is unavailable. */
    synchronized Path install() {
        if (installed == null && skipped == null) {
            try {
                if (!hasVersion()) {
                    npmInstall();
                }
                installed = bin;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while installing " + pkg + "@" + version, e);
            }
        }
        if (skipped != null) {
            Assumptions.abort(skipped);
        }
        return installed;
    }

    private boolean hasVersion() throws IOException, InterruptedException {
        if (!Files.isExecutable(bin)) {
            return false;
        }
        Run r = run(List.of(bin.toString(), "--version"), 30);
        return r.exit == 0 && r.output.lines().anyMatch(l -> l.strip().startsWith(version) || l.strip().endsWith(" " + version));
    }

    private void npmInstall() throws IOException, InterruptedException {
        if (!onPath("npm")) {
            skipped = pkg + " e2e skipped: npm registry unreachable: npm is not on PATH";
            return;
        }
        Run install = run(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", pkg + "@" + version), 600);
        if (install.exit == 0) {
            if (!hasVersion()) {
                throw new IllegalStateException("npm installed " + pkg + "@" + version + " but " + bin
                        + " --version does not report " + version + ":\n" + install.output);
            }
            return;
        }
        String why = networkError(install.output);
        if (why == null) {
            Run view = run(List.of("npm", "view", pkg + "@" + version, "version"), 120);
            why = view.exit == 0 ? null : networkError(view.output);
        }
        if (why != null) {
            skipped = pkg + " e2e skipped: npm registry unreachable: " + why;
            return;
        }
        throw new IllegalStateException("npm install " + pkg + "@" + version + " failed (exit " + install.exit + "):\n"
                + install.output);
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    /** The first output line naming a network failure, or null if there is none. */
    private static String networkError(String output) {
        return output.lines()
                .filter(line -> NETWORK_ERRORS.stream().anyMatch(line.toLowerCase(Locale.ROOT)::contains))
                .map(String::strip)
                .findFirst()
                .orElse(null);
    }

    private record Run(int exit, String output) {
    }

    /** Runs a command with stdout and stderr merged into a temp file; a timeout kills it and fails. */
    private static Run run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("npm-tool-", ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " took over " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
