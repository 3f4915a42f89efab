package proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers "is the CLI there and working?" by running {@code claude --version}, at most once per
 * {@code maxAge}: health checks may come every second, a CLI start costs ~65 ms. Callers that
 * arrive while a probe runs wait for its answer instead of starting their own. A CLI older
 * than {@link #MINIMUM} counts as not working: it would reject the proxy's flags. Start-up
 * runs one {@link #probe} of its own ({@link StartupCheck}).
 */
public final class CliVersionProbe {

    /**
     * The oldest CLI the proxy runs: 2.1.197. It takes every flag {@link CliCommand} passes
     * (checked: the whole argv, {@code --effort}, {@code --json-schema},
     * {@code --append-system-prompt-file}, {@code --mcp-config}, {@code --tools ""},
     * {@code --strict-mcp-config}, {@code --setting-sources ""}, {@code --no-session-persistence}
     * included, ran to the API call; an unknown flag stops it with "error: unknown option"), and
     * its stream-json output is the one the reader was checked against (cli-protocol.md §12,
     * captures v2.1.197/). It is also past two fixes the proxy leans on (CHANGELOG): 2.1.186,
     * {@code --tools} letting feature-gated tools slip through on a cold first start (chat mode's
     * promise of no tools), and 2.1.187, {@code --json-schema} calling StructuredOutput without
     * end. Older releases were neither captured nor tested. The tested version is run.sh's
     * CLI_VERSION.
     */
    public static final Version MINIMUM = new Version(2, 1, 197);

    /** A CLI version, {@code major.minor.patch}, as {@code claude --version} prints it first. */
    public record Version(int major, int minor, int patch) implements Comparable<Version> {

        private static final Pattern LEADING =
                Pattern.compile("^v?(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})\\b");

        /** The version at the start of {@code --version}'s line ({@code "2.1.331 (Claude Code)"}), if any. */
        public static Optional<Version> parse(String line) {
            Matcher m = LEADING.matcher(line.strip());
            return m.find()
                    ? Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))))
                    : Optional.empty();
        }

        @Override
        public int compareTo(Version o) {
            return Comparator.comparingInt(Version::major).thenComparingInt(Version::minor)
                    .thenComparingInt(Version::patch).compare(this, o);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + patch;
        }
    }

    /** How a probe ended. */
    public enum Outcome {
        OK,
        /** Not found, not a file, or not executable. */
        NOT_FOUND,
        /** It would not start, or {@code --version} failed, hung or exited non-zero. */
        FAILED,
        /** Older than {@link #MINIMUM}. */
        TOO_OLD
    }

    /**
     * What the last probe found. {@code path} is the resolved executable, or the name as
     * configured; {@code credentials} is what the CLI would log in with
     * ({@link CliCredentials#source}), looked up afresh on every {@link #status} call.
     */
    public record Status(String path, Optional<String> version, Outcome outcome, Optional<String> error,
            Optional<String> credentials) {

        public boolean ok() {
            return outcome == Outcome.OK;
        }

        Status withCredentials(Optional<String> found) {
            return new Status(path, version, outcome, error, found);
        }
    }

    private static final System.Logger LOG = System.getLogger(CliVersionProbe.class.getName());
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_OUTPUT = 4096;

    private final String claude;
    private final Map<String, String> env;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private Status cached;
    private long cachedAt;

    public CliVersionProbe(String claude, Map<String, String> env, Duration maxAge, LongSupplier nanoClock) {
        this.claude = claude;
        this.env = Map.copyOf(env);
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = nanoClock;
    }

    public CliVersionProbe(String claude, Map<String, String> env) {
        this(claude, env, Duration.ofSeconds(60), System::nanoTime);
    }

    /** The CLI as configured: a path or a name on PATH. */
    public String claude() {
        return claude;
    }

    public Status status() {
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (cached == null || now - cachedAt >= maxAgeNanos) {
                cached = probe(claude, env);
                cachedAt = nanoClock.getAsLong();
                if (!cached.ok()) {
                    LOG.log(Level.WARNING, "CLI check failed: {0}", cached.error().orElse(""));
                }
            }
            // a file stat: cheap, and a login made while the proxy runs shows at once
            return cached.withCredentials(CliCredentials.source(env));
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code claude --version} once, now, without logging; {@code credentials} is left empty. */
    public static Status probe(String claude, Map<String, String> env) {
        Optional<Path> found = CliLocator.find(claude, env);
        if (found.isEmpty()) {
            return failed(claude, Outcome.NOT_FOUND, notFoundReason(claude));
        }
        String path = found.get().toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(path, "--version")).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return failed(path, Outcome.FAILED, "cannot start the CLI: " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return failed(path, Outcome.FAILED,
                        "'claude --version' did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            String output = firstLine(process.getInputStream());
            if (process.exitValue() != 0) {
                return failed(path, Outcome.FAILED, "'claude --version' exited with " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output));
            }
            Optional<Version> version = Version.parse(output);
            if (version.isPresent() && version.get().compareTo(MINIMUM) < 0) {
                return new Status(path, Optional.of(output), Outcome.TOO_OLD, Optional.of("the CLI is version "
                        + version.get() + ", older than " + MINIMUM + ", the oldest that takes the flags the proxy passes"),
                        Optional.empty());
            }
            // a line without a version (a wrapper script?) is let through: the runs will tell
            return new Status(path, Optional.of(output), Outcome.OK, Optional.empty(), Optional.empty());
        } catch (IOException e) {
            return failed(path, Outcome.FAILED, "cannot read 'claude --version': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(path, Outcome.FAILED, "interrupted");
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * Reads only what the exited process left in the pipe: a grandchild that inherited stdout
     * could otherwise keep a blocking read open forever.
     */
    private static String firstLine(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Math.min(MAX_OUTPUT, in.available()));
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl).strip();
    }

    /** {@link CliLocator#notFoundReason}, told apart for a file that is there but not executable. */
    private static String notFoundReason(String claude) {
        try {
            Path p = Path.of(claude);
            if (claude.indexOf('/') >= 0 && Files.isRegularFile(p) && !Files.isExecutable(p)) {
                return "the CLI '" + claude + "' is not executable";
            }
        } catch (InvalidPathException e) {
            // not a path at all: the general reason says it
        }
        return CliLocator.notFoundReason(claude);
    }

    private static Status failed(String path, Outcome outcome, String reason) {
        return new Status(path, Optional.empty(), outcome, Optional.of(reason), Optional.empty());
    }
}
