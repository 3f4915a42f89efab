package proxy.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import proxy.chat.CanonicalTurns;
import proxy.chat.CliSource;
import proxy.chat.ClientTool;
import proxy.chat.Conversation;
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyLimits;
import proxy.chat.ReplySink;
import proxy.chat.Turn;
import proxy.config.Config;
import proxy.json.Node;
import proxy.mcp.McpSession;
import proxy.mcp.McpTool;
import proxy.mcp.ToolServer;

/**
 * Runs conversations through the CLI and owns every CLI process: the ones running a turn, the
 * spares of the {@link WarmPool}, the {@link LiveConversations} kept for a next turn, and those
 * held inside a turn while the client runs the tool calls its reply ended with. Owns the
 * {@link ToolServer} through which those CLIs call the client's tools.
 *
 * <p>A run takes a slot ({@link CliLimiter}; while it waits a stream gets keep-alives), then
 * finds a process for its conversation: the kept process whose history is the conversation's
 * (only the new user line is written), else a spare (a conversation without history), else a
 * new one (history seeded as a CLI session). The turn's events reach the caller's
 * {@link ReplySink} on the caller's thread. A turn that ran to its end leaves its process kept
 * for the next turn; one that ended with client tool calls leaves it held, and the request that
 * brings their results (its history ends with those calls) answers them and streams the rest
 * of the turn from it; any other (failed, cut short, timed out, client gone) kills it, and one
 * no longer wanted is ended in the background. Whatever happens, the slot is released and no
 * process is left without an owner.
 */
public final class CliEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CliEngine.class.getName());
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    private static final Duration FULL_QUEUE_RETRY = Duration.ofSeconds(1);

    private final Config config;
    private final Path cwd;
    private final Path runFiles;
    private final CliLimiter limiter;
    /** Platform threads that read the CLIs' pipes, reused from one process to the next. */
    private final ExecutorService pipes =
            Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("cli-pipe-", 0).factory());
    private final WarmPool pool;
    private final LiveConversations kept;
    /** Processes waiting inside a turn for the results of the client tool calls its reply ended with. */
    private final LiveConversations held;
    private final ToolServer toolServer;
    /** Sessions between start and the end of their turn: neither pooled nor kept. */
    private final Set<CliSession> running = ConcurrentHashMap.newKeySet();
    /** Sessions no longer wanted, being ended in the background. */
    private final Set<CliSession> ending = ConcurrentHashMap.newKeySet();
    private final LongAdder spawns = new LongAdder();
    /** Processes ended, by why: the reasons of the {@link #retire} calls. */
    private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
    private final Thread sweeper;
    /** Set by {@link #close}: no CLI starts after it, and one that raced it is killed at once. */
    private volatile boolean closed;
    /** Set once a seeded session could not be resumed: with --history auto, flatten from then on. */
    private final AtomicBoolean seedingBroken = new AtomicBoolean();
    /** The CLI executable, looked up once (and again after it failed to start). */
    private volatile Path cli;

    public CliEngine(Config config, Path cwd) throws IOException {
        this.config = config;
        this.cwd = cwd.toRealPath(); // the CLI names its session folder after the real path
        this.runFiles = Files.createTempDirectory("claude-proxy-run-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.limiter = new CliLimiter(config.maxConcurrent(), config.maxQueue());
        Config.Reuse reuse = config.reuse();
        this.pool = new WarmPool(reuse.warm(), reuse.warmKeys(), reuse.warmIdle(), this::startSpare,
                s -> retire(s, "spare_ended"));
        this.kept = new LiveConversations(reuse.live(), reuse.liveIdle(), s -> retire(s, "live_ended"));
        // a held process is a turn paused, not a spare: as many may wait as may run
        this.held = new LiveConversations(config.maxConcurrent(), reuse.toolHold(), s -> retire(s, "held_ended"));
        try {
            this.toolServer = ToolServer.start(ToolServer.PROGRESS_EVERY);
        } catch (IOException | RuntimeException e) {
            RunFile.deleteTree(runFiles); // nothing else has started yet
            throw e;
        }
        Duration sweepEvery = clamp(min(min(reuse.warmIdle(), reuse.liveIdle()), reuse.toolHold()).dividedBy(4),
                Duration.ofMillis(20), Duration.ofSeconds(1));
        this.sweeper = Thread.ofVirtual().name("cli-sweeper").start(() -> sweep(sweepEvery));
    }

    /**
     * Runs {@code conversation} and hands its events to {@code sink}, within the conversation's
     * stop sequences and max_tokens ({@link ReplyLimits}); its CLI may be kept for the
     * conversation's next turn. Returns when the reply has ended ({@code Finished} or
     * {@code Failed} was delivered) or the sink wanted no more.
     *
     * @return how the reply got its CLI ({@code NONE} if it got none: refused, or failed to start)
     * @throws IOException from the sink: the client is gone; the CLI has been killed
     */
    public CliSource run(Conversation conversation, ReplySink sink) throws IOException {
        return run(conversation, sink, true);
    }

    /**
     * As {@link #run(Conversation, ReplySink)}; with {@code keepForNextTurn} false the CLI ends
     * with the turn (one of several choices: the client goes on with at most one of them).
     */
    public CliSource run(Conversation conversation, ReplySink sink, boolean keepForNextTurn) throws IOException {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        if (!admit(sink, deadline)) {
            sink.flush();
            return CliSource.NONE;
        }
        try {
            return runAdmitted(conversation, sink, keepForNextTurn, deadline);
        } finally {
            limiter.release();
        }
    }

    /** Takes a slot, waiting in the queue with keep-alives; false (the sink told why) if none came. */
    private boolean admit(ReplySink sink, long deadline) throws IOException {
        if (limiter.tryAcquire()) {
            return true;
        }
        CliLimiter.Ticket ticket = limiter.enterQueue();
        if (ticket == null) {
            sink.accept(new ReplyEvent.Failed(ErrorKind.RATE_LIMITED, "Too many requests: " + config.maxConcurrent()
                    + " CLI turns are running and " + config.maxQueue() + " requests are waiting",
                    Optional.of(FULL_QUEUE_RETRY)));
            return false;
        }
        try {
            long end = Math.min(System.nanoTime() + config.queueTimeout().toNanos(), deadline);
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    sink.accept(new ReplyEvent.Failed(ErrorKind.RATE_LIMITED, "Too many requests: no CLI became free within "
                            + CliSession.seconds(config.queueTimeout()), Optional.of(FULL_QUEUE_RETRY)));
                    return false;
                }
                if (limiter.awaitSlot(ticket, Duration.ofNanos(Math.min(left, config.keepAlive().toNanos())))) {
                    return true;
                }
                if (!sink.quiet()) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a CLI slot", e);
        } finally {
            limiter.leaveQueue(ticket);
        }
    }

    private CliSource runAdmitted(Conversation conversation, ReplySink sink, boolean keepForNextTurn, long deadline)
            throws IOException {
        ProcessKey key = ProcessKey.of(conversation);
        ToolNames names = ToolNames.of(key.tools());
        boolean keep = keepForNextTurn && (kept.enabled() || held.enabled());
        // the CLI has no flags for stop sequences (and max_tokens needs a backstop): enforced here
        ReplySink limited = ReplyLimits.around(sink, conversation);
        // the recorder sees the reply as the CLI gave it: what the kept or held process holds
        ReplyRecorder recorder = keep ? new ReplyRecorder(limited) : null;
        ReplySink target = keep ? recorder : limited;
        boolean flatten = config.history() == Config.History.FLATTEN
                || (config.history() == Config.History.AUTO && seedingBroken.get());

        CliSession session = null;
        CliSource source = CliSource.NONE;
        String endedBecause = "client_gone"; // unless the turn comes back
        try {
            Placement placement = place(conversation, key, names, flatten, keepForNextTurn);
            session = placement.session();
            source = placement.source();
            CliSession.Outcome outcome = runTurn(session, placement.line(), target, deadline);
            if (outcome == CliSession.Outcome.SEED_FAILED) {
                retire(session, "seed_failed");
                session = null;
                if (seedingBroken.compareAndSet(false, true)) {
                    LOG.log(Level.WARNING, "this CLI cannot resume seeded sessions; earlier turns go in as text "
                            + "from now on (start with --history flatten to skip the first try)");
                }
                placement = spareOrNew(key, CliCommand.userLine(conversation, names, true));
                session = placement.session();
                source = placement.source();
                outcome = runTurn(session, placement.line(), target, deadline);
            }
            boolean cutShort = limited instanceof ReplyLimits limits && limits.cutShort();
            endedBecause = cutShort ? "cut_short" : outcome == CliSession.Outcome.SPENT ? "failed" : "not_kept";
            LiveConversations store = outcome == CliSession.Outcome.READY ? kept
                    : outcome == CliSession.Outcome.HELD ? held : null;
            if (store != null && store.enabled() && keep && !cutShort) {
                List<Turn> said = new ArrayList<>(conversation.turns());
                said.add(recorder.answer());
                store.park(new LiveConversations.Key(key, digest(said, store == held)), session);
                session = null; // kept or held owns it now
            }
        } catch (CliStartException e) {
            sink.accept(new ReplyEvent.Failed(e.kind, e.getMessage()));
            sink.flush();
        } finally {
            if (session != null) {
                retire(session, endedBecause);
            }
        }
        return source;
    }

    /**
     * A process for a conversation, and the line that asks its question; no line: the process
     * was held, its calls have just been given their results, and the reply is what it says next.
     */
    private record Placement(CliSession session, byte[] line, CliSource source) {}

    /**
     * Where {@code conversation} runs: on the held process whose calls its question answers, or
     * on the kept process that holds its history (only the new user line is written), else on a
     * spare or a new process, with the history seeded (or written out before the question when
     * it cannot be seeded). A held process the question does not answer is of no use to anyone
     * and is ended. Only a run that may keep its CLI takes a kept or held one.
     */
    private Placement place(Conversation conversation, ProcessKey key, ToolNames names, boolean flatten, boolean takeKept)
            throws CliStartException {
        List<Turn> history = conversation.history();
        // a run that keeps nothing (a token count, one of n choices) leaves kept and held CLIs to the conversation's own next turn
        if (!history.isEmpty() && takeKept) {
            CliSession waiting = held.take(new LiveConversations.Key(key, digest(history, true)));
            if (waiting != null) {
                if (answer(waiting, conversation)) {
                    return new Placement(waiting, null, CliSource.HELD);
                }
                LOG.log(Level.DEBUG, "a request did not answer the held tool calls of pid {0}; starting afresh", waiting.pid());
                retire(waiting, "held_unanswered");
            }
            CliSession live = kept.take(new LiveConversations.Key(key, digest(history, false)));
            if (live != null) {
                return new Placement(live, CliCommand.userLine(conversation, names, false), CliSource.LIVE);
            }
        }
        // A seeded history cannot end with calls whose results come as the question: on resume the
        // CLI records such calls as interrupted, and a seeded result gets a made-up answer after
        // it (CLI 2.1.331). Results of calls no held CLI waits on go in with the history as text.
        boolean answersCalls = conversation.question().parts().stream().anyMatch(p -> p instanceof Part.ToolResult);
        boolean seed = !flatten && !answersCalls && !history.isEmpty() && SessionSeed.configDir(config.env()).isPresent();
        byte[] line = CliCommand.userLine(conversation, names, !seed);
        return seed ? new Placement(start(key, names.forModel(history)), line, CliSource.COLD) : spareOrNew(key, line);
    }

    /**
     * The digest a kept or held process is filed under. For a held one the text beside the
     * calls of its last turn does not count: clients send the calls back faithfully, but some
     * drop the words before them (Continue sends {@code content: ""}).
     */
    private static String digest(List<Turn> turns, boolean endsInCalls) {
        if (!endsInCalls || turns.isEmpty() || turns.getLast().role() != Turn.Role.ASSISTANT) {
            return CanonicalTurns.digest(turns);
        }
        List<Turn> calls = new ArrayList<>(turns.subList(0, turns.size() - 1));
        calls.add(new Turn(Turn.Role.ASSISTANT,
                turns.getLast().parts().stream().filter(p -> p instanceof Part.ToolCall).toList()));
        return CanonicalTurns.digest(calls);
    }

    private static boolean answer(CliSession waiting, Conversation conversation) {
        try {
            return waiting.answer(conversation.question().parts());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Ends a session no longer wanted, in the background: the reply is complete before its
     * CLI is gone. Until then the session counts as the engine's, and {@link #close} kills it.
     */
    private void retire(CliSession session, String reason) {
        ended.computeIfAbsent(reason, r -> new LongAdder()).increment();
        ending.add(session);
        if (closed) {
            session.close();
            ending.remove(session);
            return;
        }
        // a platform thread: ending reads the process table and waits for exits, which would hold a carrier
        try {
            pipes.execute(() -> {
                try {
                    session.end();
                } finally {
                    ending.remove(session);
                }
            });
        } catch (RejectedExecutionException e) { // close() ran since the check above
            session.close();
            ending.remove(session);
        }
    }

    /**
     * Runs one turn on {@code session} (no line: reads on from its answered calls), which is
     * registered as running meanwhile (close() kills it).
     */
    private CliSession.Outcome runTurn(CliSession session, byte[] line, ReplySink sink, long deadline) throws IOException {
        running.add(session);
        try {
            if (closed) {
                session.close(); // close() may have run before add(): the turn ends at once
            }
            return line == null ? session.resume(sink, config, deadline) : session.turn(line, sink, config, deadline);
        } finally {
            running.remove(session);
        }
    }

    /** A spare for {@code key} to ask {@code line}, or a process started for it. */
    private Placement spareOrNew(ProcessKey key, byte[] line) throws CliStartException {
        CliSession spare = pool.take(key);
        return spare != null ? new Placement(spare, line, CliSource.POOLED) : new Placement(start(key, List.of()), line, CliSource.COLD);
    }

    /** A spare for the pool, or null if the CLI cannot start (the next request will say why). */
    private CliSession startSpare(ProcessKey key) {
        try {
            return start(key, List.of());
        } catch (CliStartException e) {
            return null;
        } catch (RuntimeException e) { // a bug must not leave the pool thinking a spare is on its way
            LOG.log(Level.WARNING, "cannot start a spare CLI: {0}", e.toString());
            return null;
        }
    }

    /** Starts a CLI for {@code key}, with {@code history} seeded as its session if not empty. */
    private CliSession start(ProcessKey key, List<Turn> history) throws CliStartException {
        if (closed) { // its per-run directory is gone too
            throw new CliStartException(ErrorKind.UNAVAILABLE, "The proxy is shutting down");
        }
        Path executable = cli();
        RunFile system = null;
        SessionSeed seed = null;
        McpSession tools = null;
        RunFile toolConfig = null;
        try {
            system = RunFile.of(runFiles, key.system());
            if (!history.isEmpty()) {
                Path configDir = SessionSeed.configDir(config.env()).orElseThrow();
                seed = SessionSeed.write(SessionSeed.projectDir(configDir, cwd), key.model(), history);
            }
            if (!key.tools().isEmpty()) {
                tools = toolServer.open(served(key.tools()));
                toolConfig = RunFile.of(runFiles, Optional.of(CliCommand.toolServerConfig(toolServer.url(tools))));
            }
        } catch (IOException e) {
            closeFiles(system, seed, tools, toolConfig);
            LOG.log(Level.WARNING, "cannot write the files for a CLI run: {0}", e.toString());
            throw new CliStartException(ErrorKind.INTERNAL, "The proxy could not prepare the Claude CLI run");
        }
        CliCommand command = CliCommand.of(config, executable, key, system.path(), Optional.ofNullable(seed).map(SessionSeed::id),
                Optional.ofNullable(toolConfig).flatMap(RunFile::path));
        try {
            CliProcess process = CliProcess.start(command.argv(), command.env(), cwd, MAX_LINE_BYTES, pipes);
            spawns.increment();
            return new CliSession(key, process, system, seed, tools, toolConfig);
        } catch (IOException e) {
            closeFiles(system, seed, tools, toolConfig);
            cli = null; // look it up again next time: it may have moved
            LOG.log(Level.WARNING, "cannot start the CLI: {0}", e.getMessage());
            throw new CliStartException(ErrorKind.UNAVAILABLE, "The Claude CLI could not be started");
        }
    }

    private Path cli() throws CliStartException {
        Path found = cli;
        if (found == null) {
            Optional<Path> located = CliLocator.find(config.claude(), config.env());
            if (located.isEmpty()) {
                // the reason names a path of this machine: the operator's log gets it, the client does not
                LOG.log(Level.WARNING, "the Claude CLI is not available: {0}", CliLocator.notFoundReason(config.claude()));
                throw new CliStartException(ErrorKind.UNAVAILABLE, "The Claude CLI is not available on the proxy's machine");
            }
            found = located.get();
            cli = found;
        }
        return found;
    }

    /** The client's tools as the tool server serves them: under the names the model knows them by. */
    private static List<McpTool> served(List<ClientTool> tools) {
        ToolNames names = ToolNames.of(tools);
        List<McpTool> out = new ArrayList<>();
        for (ClientTool t : tools) {
            try {
                out.add(new McpTool(names.served(t.name()), t.description(), Node.parse(t.inputSchema())));
            } catch (IOException e) {
                throw new IllegalArgumentException("a client tool's schema is not JSON", e); // the API layer parsed it
            }
        }
        return out;
    }

    private static void closeFiles(RunFile system, SessionSeed seed, McpSession tools, RunFile toolConfig) {
        for (RunFile file : new RunFile[] {system, toolConfig}) {
            try {
                if (file != null) {
                    file.close();
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not delete a run file: {0}", e.toString());
            }
        }
        if (seed != null) {
            seed.close();
        }
        if (tools != null) {
            tools.close();
        }
    }

    /** Until close: stops idle spares and kept processes, and replaces spares that died. */
    private void sweep(Duration every) {
        while (!closed) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            pool.sweep(now);
            kept.sweep(now);
            held.sweep(now);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration clamp(Duration d, Duration low, Duration high) {
        return d.compareTo(low) < 0 ? low : d.compareTo(high) > 0 ? high : d;
    }

    /** The engine's counters now. */
    public CliStats stats() {
        Map<String, Long> endedNow = new TreeMap<>();
        ended.forEach((reason, count) -> endedNow.put(reason, count.sum()));
        return new CliStats(spawns.sum(), endedNow, pool.size(), kept.size(), held.size(), running.size());
    }

    /** Kills every CLI (running, spare, kept or held) and removes the per-run files: the server is stopping. */
    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        // the running ones first: a client waits on each, and its stream ends (with an error event)
        // as soon as its CLI is gone; each close may wait out a kill grace, and spares wait on nobody
        running.forEach(CliSession::close);
        pool.close();
        kept.close();
        held.close();
        running.forEach(CliSession::close); // any that started meanwhile: they see closed and end at once
        ending.forEach(CliSession::close);
        toolServer.close();
        pipes.shutdown(); // its threads end as the killed processes' pipes close
        RunFile.deleteTree(runFiles);
        SessionSeed.configDir(config.env()).ifPresent(dir -> {
            try {
                Files.deleteIfExists(SessionSeed.projectDir(dir, cwd)); // only if empty: seeds are gone
            } catch (IOException e) {
                // not empty (another proxy with the same cwd) or already gone
            }
        });
    }

    /** CLI processes this engine owns now: running, spare, kept or being ended (for tests). */
    int liveProcesses() {
        return running.size() + pool.size() + kept.size() + held.size() + ending.size();
    }

    /** Process ids of the processes held for their client tool calls' results (for tests). */
    List<Long> heldPids() {
        return held.pids();
    }

    /** Process ids of the spares waiting in the pool (for tests). */
    List<Long> sparePids() {
        return pool.pids();
    }

    /** Process ids of the processes kept for a next turn (for tests). */
    List<Long> keptPids() {
        return kept.pids();
    }

    /** The directory of per-run files (for tests: it must be empty after a run). */
    Path runFiles() {
        return runFiles;
    }

    /** Why a CLI could not be started, in terms a client may see. */
    private static final class CliStartException extends Exception {
        final ErrorKind kind;

        CliStartException(ErrorKind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }
}
