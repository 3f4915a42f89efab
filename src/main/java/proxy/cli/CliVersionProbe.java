package proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Answers "is the CLI there and working?" by running {@code claude --version}, at most once per
 * {@code maxAge}: health checks may come every second, a CLI start costs ~65 ms. Callers that
 * arrive while a probe runs wait for its answer instead of starting their own.
 */
public final class CliVersionProbe {

    /** What the last probe found. {@code path} is the resolved executable, or the name as configured. */
    public record Status(String path, Optional<String> version, boolean ok, Optional<String> error) {}

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

    public Status status() {
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (cached == null || now - cachedAt >= maxAgeNanos) {
                cached = probe();
                cachedAt = nanoClock.getAsLong();
            }
            return cached;
        } finally {
            lock.unlock();
        }
    }

    private Status probe() {
        Optional<Path> found = CliLocator.find(claude, env);
        if (found.isEmpty()) {
            return failed(claude, CliLocator.notFoundReason(claude));
        }
        String path = found.get().toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(path, "--version")).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return failed(path, "cannot start the CLI: " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return failed(path, "'claude --version' did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            String output = firstLine(process.getInputStream());
            if (process.exitValue() != 0) {
                return failed(path, "'claude --version' exited with " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output));
            }
            return new Status(path, Optional.of(output), true, Optional.empty());
        } catch (IOException e) {
            return failed(path, "cannot read 'claude --version': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(path, "interrupted");
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

    private static Status failed(String path, String reason) {
        LOG.log(Level.WARNING, "CLI check failed: {0}", reason);
        return new Status(path, Optional.empty(), false, Optional.of(reason));
    }
}
