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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One running CLI: started from an explicit argv (never a shell), given user lines on stdin
 * (which stays open, so one process can take many turns), read line by line. Owns the process,
 * its three pipes and the two tasks that read them; {@link #close} kills the whole process tree
 * and is safe to call on every path, more than once.
 *
 * <p>Pipe reads block the thread that makes them, and a virtual thread blocked on a pipe holds
 * its carrier (see PERFORMANCE.md). So each CLI's two output pipes are read by platform threads
 * from a shared cached pool (reused from one process to the next, not created per request), and
 * the request's virtual thread only waits on a queue, where timeouts are free. Per live CLI the
 * proxy thus pays two pooled reader threads plus the JDK's own reaper thread.
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
    /** How long a closed process's full queue may go untaken before its reader stops filling it. */
    private static final Duration ABANDONED = Duration.ofSeconds(1);
    /** Lines this short fit in a pipe's buffer: written on the caller's thread, they cannot block it. */
    private static final int INLINE_WRITE_BYTES = 16 * 1024;

    private final BlockingQueue<Output> stdout = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final StderrTail stderr = new StderrTail(STDERR_KEEP);
    private final Process process;
    private final ExecutorService pipes;
    private volatile boolean closed;

    private CliProcess(Process process, int maxLineBytes, ExecutorService pipes) {
        this.process = process;
        this.pipes = pipes;
        pipes.execute(() -> readStdout(process.getInputStream(), maxLineBytes));
        pipes.execute(() -> stderr.drain(process.getErrorStream()));
    }

    /**
     * Starts {@code argv} in {@code cwd} with exactly {@code env}, its pipes read by threads of
     * {@code pipes} (platform threads). Throws if the executable cannot be started.
     *
     * <p>The fork and exec run on a thread of {@code pipes} too: on a virtual thread they would
     * hold its carrier (of which there are as many as cores) for the whole system call, and a
     * burst of starts would stall every other request's events meanwhile.
     */
    public static CliProcess start(List<String> argv, Map<String, String> env, Path cwd, int maxLineBytes,
            ExecutorService pipes) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Future<Process> started;
        try {
            started = pipes.submit(pb::start);
        } catch (RejectedExecutionException e) {
            throw new IOException("the proxy is shutting down", e);
        }
        try {
            return new CliProcess(started.get(), maxLineBytes, pipes);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            started.cancel(false);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the CLI", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Writes one user line to stdin and leaves stdin open for the next turn. Never blocks the
     * caller for long: a line longer than a pipe buffer (an image) goes out from a pipe thread,
     * so a CLI that does not read stdin holds that thread, not the request, until the caller's
     * timeouts close the process. A failed write is only logged: the CLI's output and exit say
     * what happened.
     */
    public void write(byte[] line) {
        if (line.length <= INLINE_WRITE_BYTES) {
            writeNow(line);
            return;
        }
        try {
            pipes.execute(() -> writeNow(line));
        } catch (RejectedExecutionException e) { // the engine is closing: this process is being killed
            LOG.log(Level.DEBUG, "CLI pid {0} gets no input: the proxy is stopping", process.pid());
        }
    }

    private void writeNow(byte[] line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(line);
            in.flush();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "CLI pid {0} did not take its input: {1}", process.pid(), e.toString());
        }
    }

    /**
     * Whether the process is running and has printed nothing unread: a CLI waiting for its next
     * user line prints nothing, so output here means it died or misbehaves while it waited.
     */
    public boolean isWaiting() {
        return !closed && process.isAlive() && stdout.isEmpty();
    }

    /** Whether the process runs and has not been closed (it may have output queued). */
    public boolean isAlive() {
        return !closed && process.isAlive();
    }

    /** Whether stdout lines are queued that {@link #next} would return at once. */
    public boolean hasOutput() {
        return !stdout.isEmpty();
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
     * Ends a CLI that waits for its next user line the way a terminal user ends it: stdin is
     * closed and the CLI exits by itself, tidying up after itself. That is much cheaper than
     * {@link #close}, which must read the whole process table to find descendants. A CLI that
     * has not exited after {@code grace} is killed as by {@link #close}.
     */
    public void endGently(Duration grace) {
        if (closed) {
            return;
        }
        closeQuietly(process.getOutputStream());
        boolean exited;
        try {
            exited = process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (exited) {
            closed = true;
        } else {
            close();
        }
    }

    /**
     * Kills the process and every descendant: SIGTERM first, SIGKILL for whatever is still
     * alive after a short grace. Descendants are listed before the parent dies, since an orphan
     * is re-parented and no longer found through it. Listing them reads the whole process
     * table (milliseconds on a busy machine) and the grace may be waited out: call it from a
     * platform thread, off the request's path.
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
                if (h.isAlive()) {
                    LOG.log(Level.DEBUG, "pid {0} ignored SIGTERM; killing it", h.pid());
                    h.descendants().forEach(ProcessHandle::destroyForcibly); // started during the grace
                    h.destroyForcibly();
                }
            }
        }
        closeQuietly(process.getOutputStream());
    }

    /**
     * Reads stdout into the queue, ending with {@link Output.End}, which the turn waiting on it
     * must always get: the stream of a CLI killed at shutdown ends on it. So the reader is never
     * interrupted; it stops by itself at EOF (a killed CLI's pipe closes), and gives up only when
     * the process is closed and nobody has taken a line for {@link #ABANDONED}.
     */
    private void readStdout(InputStream in, int maxLineBytes) {
        BoundedLineReader reader = new BoundedLineReader(in, maxLineBytes);
        IOException error = null;
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!hand(new Output.Line(line))) {
                    return;
                }
            }
        } catch (IOException e) {
            error = closed ? null : e;
        } finally {
            closeQuietly(in);
        }
        hand(new Output.End(error));
    }

    /** Queues {@code item}, waiting while the queue is full; false if the process is closed and nobody reads. */
    private boolean hand(Output item) {
        long slice = ABANDONED.toNanos() / 10;
        int untakenWhileClosed = 0;
        try {
            while (!stdout.offer(item, slice, TimeUnit.NANOSECONDS)) {
                if (closed && ++untakenWhileClosed >= 10) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            return false; // the pipe threads are being shut down: the engine is closing
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
