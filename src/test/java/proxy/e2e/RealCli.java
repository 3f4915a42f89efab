package proxy.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Claude Code CLI for end-to-end tests: installed with npm into
 * {@code target/claude-cli} (tests run with the project directory as working directory), once
 * per JVM, and run offline against a {@link FakeAnthropic} with {@link #env}. Without npm or
 * without a reachable npm registry the calling test is aborted (skipped); any other install
 * failure fails it.
 */
final class RealCli {

    static final String VERSION = "2.1.331";
    static final String PACKAGE = "@anthropic-ai/claude-code@" + VERSION;
    private static final Path PREFIX = Path.of("target/claude-cli").toAbsolutePath();
    private static final Path BIN = PREFIX.resolve("node_modules/.bin/claude");
    private static final List<String> NETWORK_ERRORS =
            List.of("enotfound", "eai_again", "etimedout", "econnrefused", "econnreset", "network");

    /** The outcome of the one install attempt of this JVM: the binary, or why tests are skipped. */
    private static Path installed;
    private static String skipped;

    private RealCli() {
    }

    /** The CLI binary, installing it first if needed; aborts the test if npm or its registry is unavailable. */
    static synchronized Path install() {
        if (installed == null && skipped == null) {
            try {
                if (!hasVersion()) {
                    npmInstall();
                }
                installed = BIN;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while installing " + PACKAGE, e);
            }
        }
        if (skipped != null) {
            Assumptions.abort(skipped);
        }
        return installed;
    }

    /**
     * The offline environment for the CLI: PATH of this process, the given HOME, the fake
     * upstream and no background traffic. CLAUDE_CODE_MAX_RETRIES is left to the caller.
     * The map is a fresh mutable copy.
     */
    static Map<String, String> env(Path home, String baseUrl) {
        Map<String, String> env = new HashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null || path.isBlank() ? "/usr/bin:/bin" : path);
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-fake");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        return env;
    }

    private static boolean hasVersion() throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN)) {
            return false;
        }
        Run r = run(List.of(BIN.toString(), "--version"), 30);
        return r.exit == 0 && r.output.strip().startsWith(VERSION + " ");
    }

    private static void npmInstall() throws IOException, InterruptedException {
        if (!onPath("npm")) {
            skipped = "real CLI e2e skipped: npm registry unreachable: npm is not on PATH";
            return;
        }
        Run install = run(List.of("npm", "install", "--prefix", PREFIX.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", PACKAGE), 600);
        if (install.exit == 0) {
            if (!hasVersion()) {
                throw new IllegalStateException("npm installed " + PACKAGE + " but " + BIN
                        + " --version does not report " + VERSION + ":\n" + install.output);
            }
            return;
        }
        String why = networkError(install.output);
        if (why == null) {
            Run view = run(List.of("npm", "view", PACKAGE, "version"), 120);
            why = view.exit == 0 ? null : networkError(view.output);
        }
        if (why != null) {
            skipped = "real CLI e2e skipped: npm registry unreachable: " + why;
            return;
        }
        throw new IllegalStateException("npm install " + PACKAGE + " failed (exit " + install.exit + "):\n"
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
        Path log = Files.createTempFile("real-cli-", ".log");
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

    /**
     * Runs {@code conversation} through a {@code CliEngine} on the real CLI against
     * {@code upstream}, with a HOME and a working directory under {@code tmp}; the events in order.
     */
    static java.util.List<proxy.chat.ReplyEvent> runEngine(Path tmp, FakeAnthropic upstream,
            proxy.chat.Conversation conversation) throws IOException {
        Path claude = install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        proxy.config.Config config;
        try {
            config = ((proxy.config.Args.Run) proxy.config.Args.parse(
                    new String[] {"--claude", claude.toString(), "--timeout", "120s"}, env(home, upstream.baseUrl()))).config();
        } catch (proxy.config.UsageException e) {
            throw new AssertionError(e);
        }
        java.util.List<proxy.chat.ReplyEvent> events = new java.util.ArrayList<>();
        try (proxy.cli.CliEngine engine = new proxy.cli.CliEngine(config, cwd)) {
            engine.run(conversation, e -> events.add(e));
        }
        return events;
    }
}
