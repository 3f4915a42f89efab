package proxy.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.Usage;
import proxy.config.Config;
import proxy.mcp.HeldCall;
import proxy.mcp.McpSession;

/**
 * One CLI process and the turns it runs. A turn writes one user line, then moves the CLI's
 * output into the caller's sink on the caller's thread until that turn's {@code result}, under
 * the timeouts; the process then waits for its next line. A turn whose reply ends with calls of
 * the client's tools is held instead: the CLI waits inside its turn for their results, which a
 * later request gives ({@link #answer}) before it reads on ({@link #resume}). Owns the process,
 * the client tools' endpoint it calls ({@link McpSession}) and the files it was started with
 * (system text, seeded history, tool server config); {@link #end} ends the process as fits its
 * state and {@link #close} kills it, and both close the endpoint and delete the files.
 *
 * <p>A session is used by one thread at a time: the engine hands it from the pool or the kept
 * conversations to one request, and keeps it (or ends it) when the turn is over.
 */
final class CliSession implements AutoCloseable {

    /** How a turn left the process. */
    enum Outcome {
        /** The turn ran to its {@code result}: the process waits with exactly this reply in its history. */
        READY,
        /**
         * The reply ended with calls of client tools, each of which the CLI has made: the process
         * waits for their results ({@link #heldCalls}).
         */
        HELD,
        /** The CLI could not resume the seeded history (and {@code --history auto} may fall back). */
        SEED_FAILED,
        /** Anything else: a failure, a reply cut short, a timeout, a client gone. Close it. */
        SPENT
    }

    private static final System.Logger LOG = System.getLogger(CliSession.class.getName());
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);
    /** How long a CLI whose stdin was closed between turns may take to exit before it is killed. */
    private static final Duration GENTLE_EXIT = Duration.ofSeconds(2);
    /** How long after the end of its message a client tool call may take to reach the tool server. */
    private static final Duration CALL_ARRIVAL = Duration.ofSeconds(5);

    private final ProcessKey key;
    private final CliProcess process;
    private final RunFile systemFile;
    private final SessionSeed seed; // null: no history seeded
    /** The client tools this CLI calls, and what it has been told about them; null: none. */
    private final McpSession tools;
    private final RunFile toolServerConfig;
    private final ToolNames names;
    /** Messages this process streamed, over all its turns (a held turn's message is repeated later). */
    private final Set<String> streamedMessages = new HashSet<>();
    /** The tool_use ids of the calls a held turn waits on, in the order the model made them. */
    private List<String> held = List.of();
    /** What the held replies of the CLI turn in progress reported (its result line counts them too). */
    private Usage heldUsage = Usage.ZERO;
    private volatile long idleSince = System.nanoTime();
    /** Whether the CLI waits between turns (started, or its last turn ran to its end): it may be ended gently. */
    private volatile boolean betweenTurns = true;
    private int turns;

    CliSession(ProcessKey key, CliProcess process, RunFile systemFile, SessionSeed seed) {
        this(key, process, systemFile, seed, null, null);
    }

    /**
     * @param tools            the endpoint serving the client's tools to this process, if any (now owned here)
     * @param toolServerConfig the {@code --mcp-config} file naming it (now owned here)
     */
    CliSession(ProcessKey key, CliProcess process, RunFile systemFile, SessionSeed seed, McpSession tools,
            RunFile toolServerConfig) {
        this.key = key;
        this.process = process;
        this.systemFile = systemFile;
        this.seed = seed;
        this.tools = tools;
        this.toolServerConfig = toolServerConfig;
        this.names = ToolNames.of(key.tools());
    }

    long pid() {
        return process.pid();
    }

    /**
     * Whether the process is alive and waiting: quietly for a user line, or for the results of
     * its held calls (meanwhile it prints heartbeats, read with the continuation).
     */
    boolean isWaiting() {
        return held.isEmpty() ? process.isWaiting() : process.isAlive();
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
        process.write(userLine);
        return run(sink, config, deadline);
    }

    /**
     * Reads on after {@link #answer} gave the held calls their results: the CLI's continuation
     * of the turn is the reply, handed to {@code sink} as by {@link #turn}.
     */
    Outcome resume(ReplySink sink, Config config, long deadline) throws IOException {
        return run(sink, config, deadline);
    }

    private Outcome run(ReplySink sink, Config config, long deadline) throws IOException {
        boolean seeded = seed != null && turns == 0;
        turns++;
        betweenTurns = false;
        held = List.of();
        try {
            CliEventReader reader = new CliEventReader(key.structured(), names, tools != null, streamedMessages);
            reader.continuing(heldUsage);
            Outcome outcome = pump(reader, sink, config, deadline, seeded);
            if (outcome == Outcome.HELD) {
                outcome = awaitCalls(reader.heldCalls());
            }
            heldUsage = outcome == Outcome.HELD ? heldUsage.plus(reader.heldUsage()) : Usage.ZERO;
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
                        boolean whole = wanted >= events.size() - 1;
                        return !whole ? Outcome.SPENT
                                : reader.completed() ? Outcome.READY
                                : reader.held() ? Outcome.HELD : Outcome.SPENT;
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

    /**
     * The CLI makes a message's calls one after another, the first as soon as the model's block
     * of it is complete: by the end of the message it has usually arrived, else it gets a moment
     * more. A first call that never comes cannot be answered: the process is spent (the client's
     * follow-up then runs on a fresh one, with the history).
     */
    private Outcome awaitCalls(List<String> ids) throws InterruptedException {
        if (tools.awaitCall(ids.getFirst(), CALL_ARRIVAL).isEmpty()) {
            LOG.log(Level.WARNING, "CLI pid {0} did not make the call {1} of a client tool", process.pid(), ids.getFirst());
            return Outcome.SPENT;
        }
        held = List.copyOf(ids);
        return Outcome.HELD;
    }

    /** The tool_use ids of the calls the CLI waits on; empty unless the last turn was held. */
    List<String> heldCalls() {
        return held;
    }

    /**
     * Gives the held calls their results, if {@code question} is exactly one result for each
     * held call, each of text only (what a tool result carries); else answers nothing and
     * returns false (the caller then starts afresh: this process is of no use to it). Each call
     * is answered once the CLI has made it, in order; false too if one is not made in time.
     */
    boolean answer(List<Part> question) throws InterruptedException {
        Map<String, Part.ToolResult> results = new HashMap<>();
        for (Part part : question) {
            if (!(part instanceof Part.ToolResult r) || !r.content().stream().allMatch(c -> c instanceof Part.Text)
                    || results.put(r.toolCallId(), r) != null) {
                return false;
            }
        }
        if (held.isEmpty() || !results.keySet().equals(Set.copyOf(held))) {
            return false;
        }
        for (String id : held) {
            Optional<HeldCall> call = tools.awaitCall(id, CALL_ARRIVAL);
            if (call.isEmpty()) {
                LOG.log(Level.WARNING, "CLI pid {0} did not make the call {1} of a client tool", process.pid(), id);
                return false;
            }
            Part.ToolResult r = results.get(id);
            call.get().answer(r.content().stream().map(c -> ((Part.Text) c).text()).collect(Collectors.joining("\n\n")),
                    r.isError());
        }
        return true;
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

    /**
     * Kills the process tree (if still running), then takes its tool endpoint down (calls still
     * held end with an error nobody reads: the CLI is gone, so no model call follows), and
     * deletes its files; safe to call more than once.
     */
    @Override
    public void close() {
        process.close();
        if (tools != null) {
            tools.close();
        }
        if (toolServerConfig != null) {
            try {
                toolServerConfig.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not delete a tool server config file: {0}", e.toString());
            }
        }
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
