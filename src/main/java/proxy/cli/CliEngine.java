package proxy.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.config.Config;

/**
 * Runs conversations through the CLI, one process per request: takes a concurrency slot, seeds
 * the history, starts the CLI, feeds its output through a {@link CliEventReader} into the
 * caller's {@link ReplySink} on the caller's thread, and enforces the timeouts. Every run ends
 * with its process tree killed, its seed and files deleted and its slot released, whatever
 * happened (a client that hangs up shows up as an {@link IOException} from the sink).
 *
 * <p>Owns the processes that are running ({@link #close} kills them at shutdown) and a private
 * directory for per-run files.
 */
public final class CliEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CliEngine.class.getName());
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

    private final Config config;
    private final Path cwd;
    private final Path runFiles;
    private final CliLimiter limiter;
    private final Set<CliProcess> live = ConcurrentHashMap.newKeySet();
    /** Set by {@link #close}: no CLI starts after it, and one that raced it is killed at once. */
    private volatile boolean closed;
    /** Set once a seeded session could not be resumed: with --history auto, flatten from then on. */
    private final AtomicBoolean seedingBroken = new AtomicBoolean();
    private final Duration keepAlive;

    public CliEngine(Config config, Path cwd) throws IOException {
        this.config = config;
        this.keepAlive = config.keepAlive();
        this.cwd = cwd.toRealPath(); // the CLI names its session folder after the real path
        this.runFiles = Files.createTempDirectory("claude-proxy-run-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.limiter = new CliLimiter(config.maxConcurrent(), config.maxQueue());
    }

    /**
     * Runs {@code conversation} and hands its events to {@code sink}. Returns when the reply has
     * ended ({@code Finished} or {@code Failed} was delivered) or the sink declined more.
     *
     * @throws IOException from the sink: the client is gone; the CLI has been killed
     */
    public void run(Conversation conversation, ReplySink sink) throws IOException {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        try {
            if (!limiter.acquire(min(config.firstEventTimeout(), config.timeout()))) {
                sink.accept(new ReplyEvent.Failed(ErrorKind.RATE_LIMITED,
                        "Too many requests: " + config.maxConcurrent() + " CLI processes are busy and "
                                + config.maxQueue() + " requests are waiting",
                        Optional.of(Duration.ofSeconds(1))));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a CLI slot", e);
        }
        try {
            boolean flatten = config.history() == Config.History.FLATTEN
                    || (config.history() == Config.History.AUTO && seedingBroken.get());
            Attempt result = attempt(conversation, sink, flatten, deadline);
            if (result == Attempt.SEED_FAILED && config.history() == Config.History.AUTO) {
                if (seedingBroken.compareAndSet(false, true)) {
                    LOG.log(Level.WARNING, "this CLI cannot resume seeded sessions; earlier turns go in as text "
                            + "from now on (start with --history flatten to skip the first try)");
                }
                attempt(conversation, sink, true, deadline);
            }
        } finally {
            limiter.release();
        }
    }

    private enum Attempt { DONE, SEED_FAILED }

    private Attempt attempt(Conversation conversation, ReplySink sink, boolean flatten, long deadline) throws IOException {
        if (closed) { // its per-run directory is gone too
            sink.accept(new ReplyEvent.Failed(ErrorKind.UNAVAILABLE, "The proxy is shutting down"));
            return Attempt.DONE;
        }
        Optional<Path> cli = CliLocator.find(config.claude(), config.env());
        if (cli.isEmpty()) {
            sink.accept(new ReplyEvent.Failed(ErrorKind.UNAVAILABLE, "The Claude CLI is not available: "
                    + CliLocator.notFoundReason(config.claude())));
            return Attempt.DONE;
        }
        boolean seed = !flatten && !conversation.history().isEmpty();
        Optional<Path> configDir = SessionSeed.configDir(config.env());
        if (seed && configDir.isEmpty()) {
            seed = false; // no HOME and no CLAUDE_CONFIG_DIR: nowhere to seed
            flatten = true;
        }
        try (RunFile system = RunFile.of(runFiles, conversation.system());
             SessionSeed session = seed
                     ? SessionSeed.write(SessionSeed.projectDir(configDir.get(), cwd), conversation.model(),
                             conversation.history())
                     : null) {
            CliCommand command = CliCommand.of(config, cli.get(), conversation, system.path(),
                    Optional.ofNullable(session).map(SessionSeed::id), flatten);
            return runProcess(command, conversation, sink, deadline, seed);
        }
    }

    private Attempt runProcess(CliCommand command, Conversation conversation, ReplySink sink, long deadline, boolean seeded)
            throws IOException {
        CliProcess process;
        try {
            process = CliProcess.start(command.argv(), command.env(), cwd, MAX_LINE_BYTES);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot start the CLI: {0}", e.getMessage());
            sink.accept(new ReplyEvent.Failed(ErrorKind.UNAVAILABLE, "The Claude CLI could not be started"));
            return Attempt.DONE;
        }
        live.add(process);
        if (closed) {
            process.close(); // close() may have run between the check above and add(): its output ends now
        }
        try (process) {
            try {
                process.send(command.stdin());
            } catch (IOException e) {
                // the CLI exited before reading its input: its output and exit code say why
                LOG.log(Level.DEBUG, "CLI closed stdin early: {0}", e.toString());
            }
            return pump(process, new CliEventReader(conversation.jsonSchema().isPresent()), sink, deadline, seeded);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            live.remove(process);
        }
    }

    /** Moves output from the process to the sink until the reply ends. */
    private Attempt pump(CliProcess process, CliEventReader reader, ReplySink sink, long deadline, boolean seeded)
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
                return Attempt.DONE;
            }
            long wait = Math.min(Math.min(silenceLeft, totalLeft), keepAlive.toNanos());
            CliProcess.Output item = process.next(Duration.ofNanos(wait));
            switch (item) {
                case null -> {
                    if (!sink.quiet()) {
                        return Attempt.DONE;
                    }
                }
                case CliProcess.Output.Line line -> {
                    heardFromCli = true;
                    lastOutput = System.nanoTime();
                    List<ReplyEvent> events;
                    try {
                        events = reader.read(line.text());
                    } catch (CliOutputException e) {
                        return fail(process, sink, e.getMessage());
                    }
                    if (seeded && reader.sessionNotFound()) {
                        LOG.log(Level.WARNING, "the CLI did not find the seeded session");
                        if (config.history() == Config.History.AUTO) {
                            return Attempt.SEED_FAILED;
                        }
                    }
                    if (!deliver(events, sink) || reader.finished()) {
                        return Attempt.DONE;
                    }
                }
                case CliProcess.Output.End end -> {
                    if (end.error() != null) {
                        return fail(process, sink, end.error().getMessage());
                    }
                    OptionalInt exit = process.exitCode(EXIT_WAIT);
                    List<ReplyEvent> events = reader.end(exit);
                    if (!events.isEmpty()) {
                        LOG.log(Level.WARNING, "CLI pid {0} ended without a result (exit {1}); stderr: {2}",
                                process.pid(), exit, process.stderrTail().strip());
                    }
                    deliver(events, sink);
                    return Attempt.DONE;
                }
            }
        }
    }

    private static Attempt fail(CliProcess process, ReplySink sink, String why) throws IOException {
        LOG.log(Level.WARNING, "bad output from CLI pid {0}: {1}", process.pid(), why);
        sink.accept(new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The Claude CLI printed output the proxy cannot read"));
        return Attempt.DONE;
    }

    /** Hands events to the sink; false once it wants no more. */
    private static boolean deliver(List<ReplyEvent> events, ReplySink sink) throws IOException {
        for (ReplyEvent e : events) {
            if (!sink.accept(e)) {
                return false;
            }
        }
        return true;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Kills every running CLI and removes the per-run files: the server is stopping. */
    @Override
    public void close() {
        closed = true;
        live.forEach(CliProcess::close);
        RunFile.deleteTree(runFiles);
        SessionSeed.configDir(config.env()).ifPresent(dir -> {
            try {
                Files.deleteIfExists(SessionSeed.projectDir(dir, cwd)); // only if empty: seeds are gone
            } catch (IOException e) {
                // not empty (another proxy with the same cwd) or already gone
            }
        });
    }

    /** CLIs running now (for tests: none may be left after a run). */
    int liveProcesses() {
        return live.size();
    }

    /** The directory of per-run files (for tests: it must be empty after a run). */
    Path runFiles() {
        return runFiles;
    }
}
