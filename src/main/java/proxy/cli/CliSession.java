package proxy.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.config.Config;

/**
 * One CLI process and the turns it runs. A turn writes one user line, then moves the CLI's
 * output into the caller's sink on the caller's thread until that turn's {@code result}, under
 * the timeouts; the process then waits for its next line. Owns the process and the files it
 * was started with (system text, seeded history); {@link #end} ends the process as fits its
 * state and {@link #close} kills it, and both delete the files.
 *
 * <p>A session is used by one thread at a time: the engine hands it from the pool or the kept
 * conversations to one request, and keeps it (or ends it) when the turn is over.
 */
final class CliSession implements AutoCloseable {

    /** How a turn left the process. */
    enum Outcome {
        /** The turn ran to its {@code result}: the process waits with exactly this reply in its history. */
        READY,
        /** The CLI could not resume the seeded history (and {@code --history auto} may fall back). */
        SEED_FAILED,
        /** Anything else: a failure, a reply cut short, a timeout, a client gone. Close it. */
        SPENT
    }

    private static final System.Logger LOG = System.getLogger(CliSession.class.getName());
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);
    /** How long a CLI whose stdin was closed between turns may take to exit before it is killed. */
    private static final Duration GENTLE_EXIT = Duration.ofSeconds(2);

    private final ProcessKey key;
    private final CliProcess process;
    private final RunFile systemFile;
    private final SessionSeed seed; // null: no history seeded
    private volatile long idleSince = System.nanoTime();
    /** Whether the CLI waits between turns (started, or its last turn ran to its end): it may be ended gently. */
    private volatile boolean betweenTurns = true;
    private int turns;

    CliSession(ProcessKey key, CliProcess process, RunFile systemFile, SessionSeed seed) {
        this.key = key;
        this.process = process;
        this.systemFile = systemFile;
        this.seed = seed;
    }

    long pid() {
        return process.pid();
    }

    /** Whether the process is alive and quietly waiting for a user line. */
    boolean isWaiting() {
        return process.isWaiting();
    }

    /** Whether nothing has run on it for {@code limit} by {@code now} (nanoTime). */
    boolean idleLongerThan(Duration limit, long now) {
        return now - idleSince > limit.toNanos();
    }

    /**
     * Runs one turn: writes {@code userLine} and hands the reply to {@code sink} until it ends.
     * On a timeout or unreadable output the sink gets a {@code Failed}.
     *
     * @param deadline nanoTime by which the whole request must be over
     * @throws IOException from the sink: the client is gone
     */
    Outcome turn(byte[] userLine, ReplySink sink, Config config, long deadline) throws IOException {
        boolean seeded = seed != null && turns == 0;
        turns++;
        betweenTurns = false;
        try {
            process.write(userLine);
            Outcome outcome = pump(new CliEventReader(key.structured()), sink, config, deadline, seeded);
            betweenTurns = outcome == Outcome.READY;
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            idleSince = System.nanoTime();
            sink.flush();
        }
    }

    private Outcome pump(CliEventReader reader, ReplySink sink, Config config, long deadline, boolean seeded)
            throws IOException, InterruptedException {
        boolean heardFromCli = false;
        long lastOutput = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            Duration silenceLimit = heardFromCli ? config.idleTimeout() : config.firstEventTimeout();
            long silenceLeft = lastOutput + silenceLimit.toNanos() - now;
            long totalLeft = deadline - now;
            if (totalLeft <= 0 || silenceLeft <= 0) {
                String why = totalLeft <= 0 ? "The request took longer than " + seconds(config.timeout())
                        : heardFromCli ? "The Claude CLI was silent for " + seconds(config.idleTimeout())
                        : "The Claude CLI did not answer within " + seconds(config.firstEventTimeout());
                LOG.log(Level.WARNING, "{0}; killing pid {1}", why, process.pid());
                sink.accept(new ReplyEvent.Failed(ErrorKind.TIMEOUT, why));
                return Outcome.SPENT;
            }
            long wait = Math.min(Math.min(silenceLeft, totalLeft), config.keepAlive().toNanos());
            switch (process.next(Duration.ofNanos(wait))) {
                case null -> {
                    if (!sink.quiet()) {
                        return Outcome.SPENT;
                    }
                }
                case CliProcess.Output.Line line -> {
                    heardFromCli = true;
                    lastOutput = System.nanoTime();
                    List<ReplyEvent> events;
                    try {
                        events = reader.read(line.text());
                    } catch (CliOutputException e) {
                        return badOutput(sink, e.getMessage());
                    }
                    if (seeded && reader.sessionNotFound()) {
                        LOG.log(Level.WARNING, "the CLI did not find the seeded session");
                        if (config.history() == Config.History.AUTO) {
                            return Outcome.SEED_FAILED;
                        }
                    }
                    int wanted = deliver(events, sink);
                    if (reader.finished()) {
                        // the sink's last event may be the CLI's last (the Finished of its result)
                        return reader.completed() && wanted >= events.size() - 1 ? Outcome.READY : Outcome.SPENT;
                    }
                    if (wanted < events.size()) {
                        return Outcome.SPENT; // the sink ended the reply before the CLI did
                    }
                    if (!process.hasOutput()) {
                        sink.flush(); // nothing more is waiting: send what we have
                    }
                }
                case CliProcess.Output.End end -> {
                    if (end.error() != null) {
                        return badOutput(sink, end.error().getMessage());
                    }
                    OptionalInt exit = process.exitCode(EXIT_WAIT);
                    List<ReplyEvent> events = reader.end(exit);
                    if (!events.isEmpty()) {
                        LOG.log(Level.WARNING, "CLI pid {0} ended without a result (exit {1}); stderr: {2}",
                                process.pid(), exit, process.stderrTail().strip());
                    }
                    deliver(events, sink);
                    return Outcome.SPENT;
                }
            }
        }
    }

    private Outcome badOutput(ReplySink sink, String why) throws IOException {
        LOG.log(Level.WARNING, "bad output from CLI pid {0}: {1}", process.pid(), why);
        sink.accept(new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The Claude CLI printed output the proxy cannot read"));
        return Outcome.SPENT;
    }

    /**
     * Hands events to the sink until it wants no more. Returns the index of the event after
     * which it wanted no more, or {@code events.size()} if it still wants more.
     */
    private static int deliver(List<ReplyEvent> events, ReplySink sink) throws IOException {
        for (int i = 0; i < events.size(); i++) {
            if (!sink.accept(events.get(i))) {
                return i;
            }
        }
        return events.size();
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Ends the process when it is no longer wanted: gently (stdin closed, the CLI exits by
     * itself) if it waits between turns, else killed with its tree. Then deletes its files.
     * May take a moment; the engine calls it off the request's path.
     */
    void end() {
        if (betweenTurns) {
            process.endGently(GENTLE_EXIT);
        }
        close();
    }

    /** Kills the process tree (if still running) and deletes its files; safe to call more than once. */
    @Override
    public void close() {
        process.close();
        try {
            systemFile.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete a system prompt file: {0}", e.toString());
        }
        if (seed != null) {
            seed.close();
        }
    }
}
