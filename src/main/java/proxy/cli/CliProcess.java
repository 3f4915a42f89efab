package proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One running CLI: started from an explicit argv (never a shell), given its input on stdin,
 * read line by line. Owns the process, its three pipes and its two reader threads; {@link #close}
 * kills the whole process tree and is safe to call on every path, more than once.
 *
 * <p>Pipe reads block the thread that makes them, and a virtual thread blocked on a pipe holds
 * its carrier (see PERFORMANCE.md). So each CLI gets two small platform threads, one per output
 * pipe, and the request's virtual thread only waits on a queue, where timeouts are free. Per
 * live CLI the proxy thus pays two reader threads plus the JDK's own reaper thread; the CLI
 * concurrency cap bounds them.
 */
public final class CliProcess implements AutoCloseable {

    /** One item from stdout: a line, or the end of the stream (with the error that ended it, if any). */
    public sealed interface Output {
        record Line(String text) implements Output {}

        record End(IOException error) implements Output {}
    }

    private static final System.Logger LOG = System.getLogger(CliProcess.class.getName());
    private static final Duration TERM_GRACE = Duration.ofMillis(500);
    private static final int STDERR_KEEP = 8 * 1024;
    private static final int QUEUE_LINES = 256;

    private final Process process;
    private final BlockingQueue<Output> stdout = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final StderrTail stderr = new StderrTail(STDERR_KEEP);
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private volatile boolean closed;

    private CliProcess(Process process, int maxLineBytes) {
        this.process = process;
        long pid = process.pid();
        this.stdoutReader = Thread.ofPlatform().daemon().name("cli-out-" + pid)
                .start(() -> readStdout(process.getInputStream(), maxLineBytes));
        this.stderrReader = Thread.ofPlatform().daemon().name("cli-err-" + pid)
                .start(() -> stderr.drain(process.getErrorStream()));
    }

    /**
     * Starts {@code argv} in {@code cwd} with exactly {@code env}. Throws if the executable
     * cannot be started (missing, not executable).
     */
    public static CliProcess start(List<String> argv, Map<String, String> env, Path cwd, int maxLineBytes)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new CliProcess(pb.start(), maxLineBytes);
    }

    public long pid() {
        return process.pid();
    }

    /** Writes {@code input} to stdin and closes it: the CLI then runs its one turn and exits. */
    public void send(byte[] input) throws IOException {
        try (OutputStream in = process.getOutputStream()) {
            in.write(input);
        }
    }

    /** The next stdout item, or null if none came within {@code timeout}. */
    public Output next(Duration timeout) throws InterruptedException {
        return stdout.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits up to {@code timeout} for the process to exit; its exit code, or empty if still running. */
    public java.util.OptionalInt exitCode(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)
                ? java.util.OptionalInt.of(process.exitValue())
                : java.util.OptionalInt.empty();
    }

    /** The last few KB the CLI wrote on stderr: for the log, never for the client. */
    public String stderrTail() {
        return stderr.text();
    }

    /**
     * Kills the process and every descendant: SIGTERM first, SIGKILL for whatever is still
     * alive after a short grace. Descendants are listed before the parent dies, since an orphan
     * is re-parented and no longer found through it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
            tree.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + TERM_GRACE.toNanos();
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    h.onExit().completeOnTimeout(h, left, TimeUnit.NANOSECONDS).join();
                }
            }
            for (ProcessHandle h : tree) {
                h.descendants().forEach(ProcessHandle::destroyForcibly); // started during the grace
                if (h.isAlive()) {
                    LOG.log(Level.DEBUG, "pid {0} ignored SIGTERM; killing it", h.pid());
                    h.destroyForcibly();
                }
            }
        }
        closeQuietly(process.getOutputStream());
        stdoutReader.interrupt();
    }

    private void readStdout(InputStream in, int maxLineBytes) {
        BoundedLineReader reader = new BoundedLineReader(in, maxLineBytes);
        IOException error = null;
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                stdout.put(new Output.Line(line));
            }
        } catch (IOException e) {
            error = closed ? null : e;
        } catch (InterruptedException e) {
            return; // closed while the queue was full: nobody reads any more
        } finally {
            closeQuietly(in);
        }
        try {
            stdout.put(new Output.End(error));
        } catch (InterruptedException e) {
            // closed: nobody reads any more
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do: the process is going away
        }
    }

    /** The last {@code keep} bytes of a stream, read to its end. */
    private static final class StderrTail {
        private final int keep;
        private final byte[] ring;
        private long written;

        StderrTail(int keep) {
            this.keep = keep;
            this.ring = new byte[keep];
        }

        void drain(InputStream in) {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    append(buf, n);
                }
            } catch (IOException e) {
                // the process ended or was killed: keep what we have
            }
        }

        private synchronized void append(byte[] buf, int n) {
            for (int i = 0; i < n; i++) {
                ring[(int) (written++ % keep)] = buf[i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, keep);
            byte[] out = new byte[size];
            long start = written - size;
            for (int i = 0; i < size; i++) {
                out[i] = ring[(int) ((start + i) % keep)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
