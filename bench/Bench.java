import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The claude-proxy benchmark: starts the proxy (and the npm peer claude-max-api-proxy, where node
 * is present) against bench/fake-claude.c, runs every scenario of bench/README.md side by side
 * in one run, and prints one markdown table. Run by bench/run; needs only a JDK 21+:
 *
 * <pre>java bench/Bench.java --jar target/proxy.jar --fake bench/.build/fake-claude
 *        [--peer PATH/standalone.js] [--real-cli PATH/claude] [--quick] [--out FILE]
 *        [--only reuse,sequential,paced,long,concurrent,real] [--proxy-java-opts "-XX:..."]
 *   java bench/Bench.java --soak [--quick] --jar ... --fake ... [--out FILE]</pre>
 *
 * <p>{@code --soak} runs only the soak scenario (1,000 streams kept going for 60 s, or 10 s with
 * --quick, a fifth of the clients hanging up mid-stream), checks that the proxy cleaned up after
 * it, and exits 1 if a check failed.
 *
 * <p>Every delta the fakes send carries its send time ({@code t<epoch micros>;}), so an event's
 * delay is its arrival time minus that stamp, on the same clock. Time to first delta runs from
 * the moment the client starts connecting. Everything talks to 127.0.0.1 only, every scenario
 * is bounded in count and time, and every process started here is stopped before exit.
 */
public class Bench {

    /** How many samples each scenario takes; --quick is a smoke run. */
    record Plan(int turns, int warmUp, int sequential, int pacedDeltas, int pacedReps, int longDeltas, int longReps,
            int[] concurrent, int realTurns, int realWarmUp) {
        static final Plan FULL = new Plan(100, 40, 200, 200, 3, 20_000, 5, new int[] {500, 1000}, 30, 8);
        static final Plan QUICK = new Plan(5, 4, 20, 100, 1, 5_000, 1, new int[] {50, 100}, 5, 2);
    }

    static final int START_MS = 500;            // the fake's start-up delay for cold/warm/live, like the real CLI
    static final int DELTAS = 50;               // deltas per ordinary turn
    static final int PACED_MS = 5;              // pace of the per-event latency stream
    static final int CONCURRENT_PACE_MS = 20;   // pace of the concurrency scenarios
    static final int SETTLE_MS = 50;            // pause between two timed turns of different servers
    /** A pre-started real CLI settles ~1.8 s after spawn when alone (PERFORMANCE.md); here a cold one starts meanwhile. */
    static final int REAL_SETTLE_MS = 4_000;
    static final Duration TURN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration BATCH_TIMEOUT = Duration.ofSeconds(120);
    /** The proxy cuts a reply at max_tokens x 4 characters: this never cuts the 20,000-delta stream. */
    static final int MAX_TOKENS = 1_000_000;
    static final long STARTED = System.nanoTime();

    final Plan plan;
    final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    final Path jar;
    final Path fake;
    final Path peer;     // the peer's standalone.js, or null
    final Path realCli;  // the real CLI, or null
    final Path build;    // bench/.build: logs, the temp HOME, the peer's PATH
    final Table table = new Table();
    final List<String> notes = new ArrayList<>();
    final List<String> only; // scenario groups to run; empty = all
    final List<String> proxyJavaOpts; // e.g. -XX:StartFlightRecording=... to profile the proxy
    boolean reuseFlags;  // whether this proxy build has --warm and --live

    Bench(Map<String, String> args) {
        plan = args.containsKey("--quick") ? Plan.QUICK : Plan.FULL;
        jar = Path.of(args.getOrDefault("--jar", "target/proxy.jar")).toAbsolutePath();
        fake = Path.of(args.getOrDefault("--fake", "bench/.build/fake-claude")).toAbsolutePath();
        peer = args.containsKey("--peer") ? Path.of(args.get("--peer")).toAbsolutePath() : null;
        realCli = args.containsKey("--real-cli") ? Path.of(args.get("--real-cli")).toAbsolutePath() : null;
        build = fake.getParent();
        only = args.containsKey("--only") ? List.of(args.get("--only").split(",")) : List.of();
        String opts = args.getOrDefault("--proxy-java-opts", "").strip();
        proxyJavaOpts = opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
    }

    boolean wanted(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            boolean flag = argv[i].equals("--quick") || argv[i].equals("--soak");
            args.put(argv[i], flag || i + 1 >= argv.length ? "" : argv[++i]);
        }
        Bench bench = new Bench(args);
        boolean soak = args.containsKey("--soak");
        // the whole run is bounded: a hung scenario ends the benchmark, never the machine's afternoon
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(bench.plan == Plan.QUICK ? 5 : 20));
                System.err.println("bench: time limit reached, stopping");
                Target.stopAll();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        });
        int status = 0;
        try {
            if (soak) {
                status = bench.soak();
            } else {
                bench.run();
            }
        } finally {
            Target.stopAll();
            watchdog.interrupt();
        }
        String out = soak ? bench.soakReport.toString() : bench.report();
        System.out.print(out);
        if (args.containsKey("--out")) {
            Files.writeString(Path.of(args.get("--out")), out);
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    void run() throws Exception {
        Files.createDirectories(build.resolve("logs"));
        Files.createDirectories(build.resolve("home"));
        String help = Proc.output(List.of(java.toString(), "-jar", jar.toString(), "--help"));
        reuseFlags = help.contains("--warm") && help.contains("--live");
        if (!reuseFlags) {
            notes.add("This proxy build has no --warm/--live flags yet: its cold row is the proxy's default, "
                    + "and the warm and live rows are empty.");
        }
        if (peer == null) {
            notes.add("claude-max-api-proxy was not measured (no node/npm, or its install failed).");
        }
        phase(wanted("reuse"), "cold / warm / live, fake start-up " + START_MS + " ms", this::firstDeltaByReuse);
        phase(wanted("sequential") || wanted("paced") || wanted("long") || wanted("concurrent"),
                "the proxy's own cost, fake start-up 0", this::throughput);
        phase(realCli != null && wanted("real"), "cold / warm / live with the real CLI", this::realCli);
    }

    interface Phase {
        void run() throws Exception;
    }

    /** Runs one group of scenarios; one that fails is named under the table, and the others still run. */
    void phase(boolean wanted, String what, Phase phase) {
        if (!wanted) {
            return;
        }
        log(what);
        try {
            phase.run();
        } catch (Exception e) {
            log(what + " failed: " + e);
            notes.add("Not measured: " + what + ", which failed with " + e + " (see bench/.build/logs).");
        }
    }

    // ---- scenario (b): cold spawn, warm pool, live conversation -------------------------------

    void firstDeltaByReuse() throws Exception {
        Map<String, String> env = fakeEnv(START_MS);
        List<Target> started = new ArrayList<>();
        try {
            Target cold = Target.proxy("proxy-cold", this, fake, env, reuse(0, 0));
            started.add(cold);
            Target warm = reuseFlags ? Target.proxy("proxy-warm", this, fake, env, reuse(2, 0)) : null;
            Target live = reuseFlags ? Target.proxy("proxy-live", this, fake, env, reuse(0, 4)) : null;
            Target peerCold = peer == null ? null : Target.peer("peer-cold", this, env);
            for (Target t : new Target[] {warm, live, peerCold}) {
                if (t != null) {
                    started.add(t);
                }
            }
            for (Target t : started) {
                t.awaitListening();
            }
            List<Lane> lanes = new ArrayList<>();
            Lane coldLane = new Lane(new HttpEndpoint(cold, Api.ANTHROPIC), false, 0);
            lanes.add(coldLane);
            Lane warmLane = warm == null ? null : new Lane(new HttpEndpoint(warm, Api.ANTHROPIC), false, START_MS + 50);
            Lane liveLane = live == null ? null : new Lane(new HttpEndpoint(live, Api.ANTHROPIC), true, 0);
            Lane peerLane = peerCold == null ? null : new Lane(new HttpEndpoint(peerCold, Api.OPENAI), false, 0);
            for (Lane l : new Lane[] {warmLane, liveLane, peerLane}) {
                if (l != null) {
                    lanes.add(l);
                }
            }
            Lane.rounds(lanes, plan.warmUp(), plan.turns());
            String n = "n=" + plan.turns();
            table.section("Time to first delta, fake CLI with a " + START_MS + " ms start-up (" + n + " each, interleaved)");
            table.row("cold spawn: new conversation" + (reuseFlags ? ", `--warm 0 --live 0`" : ""), "first delta p50 / p99",
                    coldLane.firstDelta(), "", peerLane == null ? "" : peerLane.firstDelta() + " (always cold)",
                    START_MS + " ms start-up + spawn floor");
            table.row("warm pool: new conversation, `--warm 2`, ≥ " + (START_MS + 50) + " ms apart",
                    "first delta p50 / p99", warmLane == null ? "flag not in this build" : warmLane.firstDelta(), "",
                    peer == null ? "" : "no pool", "");
            table.row("live conversation: turns 2–" + (plan.turns() + 1) + " of one conversation, `--live 4`",
                    "first delta p50 / p99", liveLane == null ? "flag not in this build" : liveLane.firstDelta(), "",
                    peer == null ? "" : "no live process", "");
            if (liveLane != null) {
                notes.add("Live conversation: its last request carried " + liveLane.historySize()
                        + "; CLI processes under the live proxy at the end: " + live.children() + ".");
            }
        } finally {
            started.forEach(Target::close);
        }
    }

    /** The reuse flags, when this build has them (without them every turn is a cold spawn anyway). */
    List<String> reuse(int warm, int live) {
        return reuseFlags ? List.of("--warm", "" + warm, "--live", "" + live) : List.of();
    }

    // ---- scenarios (a) and (c): spawn floor, the proxy's own cost, concurrency -----------------

    /** The proxy's --max-concurrent in the throughput and concurrency scenarios. */
    static final int MAX_CONCURRENT = 64;

    void throughput() throws Exception {
        Map<String, String> env = fakeEnv(0);
        List<String> flags = new ArrayList<>(reuse(0, 0));
        // Admission as an operator would set it: 64 CLIs at once, the rest wait in the queue (a
        // waiting stream gets its headers and keep-alives). Uncapped, 1,000 CLIs on 2 cores each
        // get a sliver of CPU and every event is late; the peer has no cap, but spawns slowly
        // enough (one at a time on its event loop) that ~45 of its CLIs run at once.
        flags.addAll(List.of("--max-concurrent", "" + MAX_CONCURRENT, "--max-queue", "1100", "--queue-timeout", "300s"));
        Target proxy = Target.proxy("proxy", this, fake, env, flags);
        Target peerFast = peer == null ? null : Target.peer("peer", this, env);
        try {
            proxy.awaitListening();
            if (peerFast != null) {
                peerFast.awaitListening();
            }
            Thread.sleep(1000); // idle RSS: after start-up, before any request
            table.section("The proxy's own cost, fake CLI with no start-up delay");
            table.row("start-up", "start → listening · idle RSS", proxy.startup(), "same process",
                    peerFast == null ? "" : peerFast.startup(), "");

            // every lane answers the same turn; one list so every loop below interleaves them
            List<Endpoint> lanes = new ArrayList<>(List.of(new HttpEndpoint(proxy, Api.ANTHROPIC),
                    new HttpEndpoint(proxy, Api.OPENAI)));
            lanes.add(peerFast == null ? null : new HttpEndpoint(peerFast, Api.OPENAI));
            lanes.add(new DirectFake(fake, env));
            if (wanted("sequential")) {
                log("sequential turns");
                sequential(lanes);
            }
            if (wanted("paced")) {
                log("paced stream");
                paced(lanes);
            }
            if (wanted("long")) {
                log("long stream");
                longStream(lanes);
            }
            for (int streams : wanted("concurrent") ? plan.concurrent() : new int[0]) {
                concurrent(lanes.subList(0, 3), List.of(proxy, proxy, peerFast == null ? proxy : peerFast), streams);
            }
        } finally {
            proxy.close();
            if (peerFast != null) {
                peerFast.close();
            }
        }
    }

    /**
     * {@code turns} turns on every lane, interleaved (lane 0, 1, 2, 3, lane 0, ...) so that they
     * share whatever else the machine does; per lane the replies, null for a lane not run.
     */
    List<List<Reply>> interleaved(List<Endpoint> lanes, int turns, String text, int deltas, Duration timeout) {
        List<List<Reply>> replies = new ArrayList<>();
        lanes.forEach(l -> replies.add(l == null ? null : new ArrayList<>()));
        for (int i = 0; i < turns; i++) {
            for (int l = 0; l < lanes.size(); l++) {
                if (lanes.get(l) != null) {
                    Reply r = lanes.get(l).ask(List.of(Message.user(text + " Turn " + i + ".")), timeout);
                    replies.get(l).add(r.complete(deltas));
                }
            }
        }
        for (int l = 0; l < lanes.size(); l++) {
            for (Reply r : replies.get(l) == null ? List.<Reply>of() : replies.get(l)) {
                if (!r.ok()) {
                    note(lanes.get(l), r);
                }
            }
        }
        return replies;
    }

    /** One table cell per lane from its replies ("" for a lane not run), with the failures counted. */
    static String[] cells(List<List<Reply>> replies, Function<List<Reply>, String> cell) {
        String[] out = new String[replies.size()];
        for (int l = 0; l < out.length; l++) {
            List<Reply> rs = replies.get(l);
            if (rs != null) {
                List<Reply> ok = rs.stream().filter(Reply::ok).toList();
                out[l] = cell.apply(ok) + errors(rs.size() - ok.size(), rs.size());
            }
        }
        return out;
    }

    static Samples samples(List<Reply> replies, ToLongFunction<Reply> micros) {
        Samples s = new Samples();
        replies.forEach(r -> s.add(micros.applyAsLong(r)));
        return s;
    }

    static Samples delays(List<Reply> replies) {
        Samples s = new Samples();
        replies.forEach(r -> s.addAll(r.delaysMicros()));
        return s;
    }

    /** Time to first delta per turn, and over the spawn floor (lane 3, the fake run directly). */
    void sequential(List<Endpoint> lanes) {
        interleaved(lanes, plan.warmUp(), "Warm-up.", DELTAS, TURN_TIMEOUT);
        List<List<Reply>> replies = interleaved(lanes, plan.sequential(), "Sequential.", DELTAS, TURN_TIMEOUT);
        long floor = samples(replies.get(3), r -> r.firstDeltaNanos() / 1000).pct(50);
        String[] cells = cells(replies, rs -> {
            Samples first = samples(rs, r -> r.firstDeltaNanos() / 1000);
            return String.format(Locale.ROOT, "%s (p50 %s · p99 %s · total p50 %s)", signed(first.pct(50) - floor),
                    ms(first.pct(50)), ms(first.pct(99)), ms(samples(rs, r -> r.totalNanos() / 1000).pct(50)));
        });
        cells[3] = "spawn floor p50 " + ms(floor) + " · p99 "
                + ms(samples(replies.get(3), r -> r.firstDeltaNanos() / 1000).pct(99)) + " (ProcessBuilder)";
        table.row(plan.sequential() + " sequential turns × " + DELTAS + " deltas",
                "first delta over the spawn floor, p50", cells);
    }

    /** Each event's delay on a slow stream, over what reading the fake's pipe directly costs (lane 3). */
    void paced(List<Endpoint> lanes) {
        List<List<Reply>> replies = interleaved(lanes, plan.pacedReps(),
                "Paced. bench:deltas=" + plan.pacedDeltas() + " bench:pace=" + PACED_MS, plan.pacedDeltas(), TURN_TIMEOUT);
        long pipe = delays(replies.get(3)).pct(50);
        String[] cells = cells(replies, rs -> {
            Samples d = delays(rs);
            return "p50 " + ms(d.pct(50)) + " · p99 " + ms(d.pct(99)) + " (" + signed(d.pct(50) - pipe) + ")";
        });
        table.row("1 stream × " + plan.pacedDeltas() + " deltas " + PACED_MS + " ms apart, ×" + plan.pacedReps(),
                "event delay (added over the pipe, p50)", cells);
    }

    /** Deltas per second on one long stream, from its first delta to its last. */
    void longStream(List<Endpoint> lanes) {
        List<List<Reply>> replies = interleaved(lanes, plan.longReps(), "Long. bench:deltas=" + plan.longDeltas(),
                plan.longDeltas(), Duration.ofSeconds(60));
        String[] cells = cells(replies, rs -> String.format(Locale.ROOT, "%,d/s", samples(rs, r ->
                r.deltas() < 2 ? 0 : (long) ((r.deltas() - 1) * 1e9 / (r.lastDeltaNanos() - r.firstDeltaNanos()))).pct(50)));
        table.row("1 stream × " + String.format(Locale.ROOT, "%,d", plan.longDeltas()) + " deltas, ×"
                + plan.longReps(), "deltas/s, first to last, median", cells);
    }

    /** {@code streams} turns at once against each lane in turn, each with 50 deltas 20 ms apart. */
    void concurrent(List<Endpoint> lanes, List<Target> targets, int streams) throws Exception {
        String[] errors = new String[4], firsts = new String[4], delays = new String[4], rss = new String[4],
                threads = new String[4], children = new String[4];
        String text = "Concurrent. bench:pace=" + CONCURRENT_PACE_MS;
        for (int l = 0; l < lanes.size(); l++) {
            Endpoint lane = lanes.get(l);
            if (lane == null) {
                continue;
            }
            Target target = targets.get(l);
            log(streams + " concurrent turns: " + lane.name());
            Sampler sampler = new Sampler(target);
            Batch b;
            try {
                b = Batch.run(lane, streams, text);
            } finally {
                sampler.close();
            }
            errors[l] = b.errors() + " of " + streams + " · " + ms(b.wallNanos() / 1000);
            firsts[l] = "p50 " + ms(b.firstDelta().pct(50)) + " · p99 " + ms(b.firstDelta().pct(99));
            delays[l] = "p50 " + ms(b.delay().pct(50)) + " · p99 " + ms(b.delay().pct(99)) + " · max "
                    + ms(b.delay().pct(100));
            rss[l] = mb(sampler.peakRssKb()) + " (" + mb(sampler.firstRssKb()) + " before)";
            threads[l] = sampler.peakThreads() + " · " + sampler.peakChildren();
            children[l] = "" + target.childrenAfter(Duration.ofSeconds(5));
            if (b.firstError() != null) {
                notes.add(lane.name() + ", " + streams + " concurrent: " + b.errors() + " failed; the first: "
                        + b.firstError());
            }
        }
        String name = String.format(Locale.ROOT, "%,d concurrent × %d deltas %d ms apart", streams, DELTAS,
                CONCURRENT_PACE_MS);
        table.row(name, "errors · all done after", errors);
        table.row("", "first delta p50 / p99 (from the common start)", firsts);
        table.row("", "event delay p50 / p99 / max", delays);
        table.row("", "peak RSS of the server (before)", rss);
        table.row("", "peak threads · peak CLI processes", threads);
        table.row("", "CLI processes left 5 s after", children);
    }

    // ---- soak: 1,000 streams kept going, a fifth of the clients hanging up mid-stream ------------

    static final int SOAK_CLIENTS = 1000;
    static final double SOAK_HANG_UP = 0.2;     // the share of requests whose client closes mid-stream
    static final int SOAK_MAX_CONNECTIONS = 1100;
    static final int SOAK_PACE_MS = 10;         // 50 deltas 10 ms apart: half a second of streaming each
    static final int SOAK_WARM_UP = 20;         // turns per API before the file descriptors are counted
    static final int SOAK_FD_SLACK = 8;         // "about the count before": this many more is still a pass
    static final Duration SOAK_SETTLE = Duration.ofSeconds(15); // how long the proxy gets to clean up

    final StringBuilder soakReport = new StringBuilder();

    /** What the soak's clients saw, counted as they go. */
    static final class SoakCounts {
        final LongAdder started = new LongAdder(), anthropic = new LongAdder(), openai = new LongAdder(),
                hungUp = new LongAdder(), hungUpBeforeDelta = new LongAdder(), rejected = new LongAdder(),
                errors = new LongAdder(), malformed = new LongAdder(), deltas = new LongAdder();
        final Samples firstDelta = new Samples();
        final ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> firstMalformed = new ConcurrentLinkedQueue<>();
        final java.util.concurrent.ConcurrentHashMap<String, LongAdder> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();

        long completed() {
            return anthropic.sum() + openai.sum();
        }

        void error(LongAdder counter, ConcurrentLinkedQueue<String> first, String why) {
            counter.increment();
            if (first.size() < 3) {
                first.add(cut(why));
            }
        }
    }

    /**
     * The soak scenario, run alone ({@code --soak}): one proxy as in the concurrency rows (every
     * turn spawns, at most 64 CLIs, the rest queued), {@link #SOAK_CLIENTS} clients each asking one
     * streamed turn after another (Messages or Chat Completions at random) for 60 s (10 s with
     * --quick); a random fifth of the requests are cut by their client after a random number of
     * deltas (0 to 49: some while still queued). Requests under way at the end run to their end.
     * Then the checks; the status is 1 if one failed.
     */
    int soak() throws Exception {
        Files.createDirectories(build.resolve("logs"));
        Files.createDirectories(build.resolve("home"));
        String help = Proc.output(List.of(java.toString(), "-jar", jar.toString(), "--help"));
        reuseFlags = help.contains("--warm") && help.contains("--live");
        Duration length = Duration.ofSeconds(plan == Plan.QUICK ? 10 : 60);
        List<String> flags = new ArrayList<>(reuse(0, 0));
        flags.addAll(List.of("--max-concurrent", "" + MAX_CONCURRENT, "--max-queue", "1100", "--queue-timeout", "300s"));
        if (help.contains("--max-connections")) {
            // Its default, 1000, is the soak's client count: a connection whose client has just
            // hung up (or read its last event) is still open in the server for a moment, and the
            // JDK server closes a connection accepted over the limit unread (the client sees a
            // reset), it does not keep it waiting. The soak is about clean-up, so it has room.
            flags.addAll(List.of("--max-connections", "" + SOAK_MAX_CONNECTIONS));
        }
        Target proxy = Target.proxy("proxy-soak", this, fake, fakeEnv(0), flags);
        try {
            proxy.awaitListening();
            long pid = proxy.process.pid();
            log("soak: warm-up, " + SOAK_WARM_UP + " turns per API");
            SoakCounts warm = new SoakCounts();
            for (int i = 0; i < SOAK_WARM_UP; i++) {
                for (Api api : Api.values()) {
                    soakTurn(proxy, api, -1, "Warm-up " + i + ".", warm);
                }
            }
            long cliBefore = proxy.childrenAfter(Duration.ofSeconds(5));
            Thread.sleep(1000);
            long fdBefore = Proc.fds(pid);
            log("soak: " + SOAK_CLIENTS + " clients for " + length.toSeconds() + " s (fds before: " + fdBefore + ")");

            SoakCounts c = new SoakCounts();
            Sampler sampler = new Sampler(proxy);
            AtomicLong peakFds = new AtomicLong(fdBefore);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread fdSampler = Thread.ofPlatform().daemon().name("fd-sampler").start(() -> {
                while (sampling.get()) {
                    peakFds.accumulateAndGet(Proc.fds(pid), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            CountDownLatch gate = new CountDownLatch(1);
            long start, soakEnd, drained;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                long[] end = new long[1];
                for (int i = 0; i < SOAK_CLIENTS; i++) {
                    int client = i;
                    threads.submit(() -> {
                        gate.await();
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int n = 0; System.nanoTime() < end[0]; n++) {
                            Api api = rnd.nextBoolean() ? Api.ANTHROPIC : Api.OPENAI;
                            int hangUpAfter = rnd.nextDouble() < SOAK_HANG_UP ? rnd.nextInt(DELTAS) : -1;
                            soakTurn(proxy, api, hangUpAfter, "Soak. bench:pace=" + SOAK_PACE_MS + " Client "
                                    + client + ", request " + n + ".", c);
                        }
                        return null;
                    });
                }
                start = System.nanoTime();
                end[0] = start + length.toNanos();
                gate.countDown();
                threads.shutdown();
                Thread.sleep(length.toMillis());
                soakEnd = System.nanoTime();
                log("soak: no new requests; waiting for those under way");
                if (!threads.awaitTermination(BATCH_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                    threads.shutdownNow(); // socket timeouts end them: this is a backstop
                }
                drained = System.nanoTime();
            }
            log("soak: done; checking that the proxy cleaned up");
            // the checks: no CLI left, file descriptors back, every stream not cut well-formed
            long deadline = System.nanoTime() + SOAK_SETTLE.toNanos();
            long cliLeft, fakesLeft, fdAfter;
            while (true) {
                cliLeft = proxy.process.descendants().count();
                fakesLeft = Proc.running(fake);
                fdAfter = Proc.fds(pid);
                if ((cliLeft == 0 && fakesLeft == 0 && fdAfter <= fdBefore + SOAK_FD_SLACK) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            long settled = System.nanoTime();
            sampling.set(false);
            fdSampler.join();
            sampler.close();

            double wall = (drained - start) / 1e9;
            long done = c.completed(), started = c.started.sum();
            StringBuilder r = soakReport;
            r.append("\n").append(Machine.describe(java)).append("\n\n");
            r.append(String.format(Locale.ROOT, "Soak%s: %,d clients for %d s, each one streamed turn after another "
                    + "(Messages or Chat Completions at random, %d deltas %d ms apart); %.0f %% of requests cut by "
                    + "their client after a random number of deltas (0–%d). Proxy: %s, every turn spawns the fake.%n%n",
                    plan == Plan.QUICK ? " (--quick)" : "", SOAK_CLIENTS, length.toSeconds(), DELTAS, SOAK_PACE_MS,
                    SOAK_HANG_UP * 100, DELTAS - 1, String.join(" ", flags)));
            r.append("| measure | value |\n| --- | --- |\n");
            row(r, "requests started (in the soak window)", String.format(Locale.ROOT, "%,d (%.0f/s)", started,
                    started / ((soakEnd - start) / 1e9)));
            row(r, "completed · of which Messages / Chat Completions", String.format(Locale.ROOT, "%,d (%.1f %%) · %,d / %,d",
                    done, pct(done, started), c.anthropic.sum(), c.openai.sum()));
            row(r, "cut by the client · of which before any delta", String.format(Locale.ROOT, "%,d (%.1f %%) · %,d",
                    c.hungUp.sum(), pct(c.hungUp.sum(), started), c.hungUpBeforeDelta.sum()));
            row(r, "refused with 429 (queue full)", String.format(Locale.ROOT, "%,d", c.rejected.sum()));
            row(r, "errors (not cut, not 429, no complete stream)", String.format(Locale.ROOT, "%,d", c.errors.sum()));
            row(r, "completed but malformed", String.format(Locale.ROOT, "%,d", c.malformed.sum()));
            row(r, "all done after (soak + the requests under way)", String.format(Locale.ROOT, "%.1f s (%.1f s + %.1f s)",
                    wall, (soakEnd - start) / 1e9, (drained - soakEnd) / 1e9));
            row(r, "throughput: completed streams · deltas received", String.format(Locale.ROOT, "%.1f/s · %,.0f/s",
                    done / wall, c.deltas.sum() / wall));
            row(r, "first delta p50 / p99 (completed; includes the wait in the queue)",
                    "p50 " + ms(c.firstDelta.pct(50)) + " · p99 " + ms(c.firstDelta.pct(99)));
            row(r, "peak RSS (before) · peak threads · peak CLI processes", mb(sampler.peakRssKb()) + " ("
                    + mb(sampler.firstRssKb()) + ") · " + sampler.peakThreads() + " · " + sampler.peakChildren());
            row(r, "open fds: before · peak · after", fdBefore + " · " + peakFds.get() + " · " + fdAfter);
            row(r, "CLI processes left: under the proxy · fake-claude anywhere", cliLeft + " · " + fakesLeft
                    + String.format(Locale.ROOT, " (checked %.1f s after the last stream)", (settled - drained) / 1e9));
            r.append("\n");

            List<String> failed = new ArrayList<>();
            check(r, failed, cliLeft == 0 && fakesLeft == 0, "no CLI process left (" + cliLeft + " under the proxy, "
                    + fakesLeft + " fake-claude processes; " + cliBefore + " after the warm-up)");
            check(r, failed, fdAfter <= fdBefore + SOAK_FD_SLACK, "the proxy's open file descriptors back to about "
                    + "the count before (" + fdBefore + " before, " + fdAfter + " after; at most +" + SOAK_FD_SLACK + ")");
            check(r, failed, c.malformed.sum() == 0, "every completed stream well-formed (" + c.malformed.sum()
                    + " of " + done + " not" + (c.firstMalformed.isEmpty() ? "" : "; the first: " + c.firstMalformed.peek()) + ")");
            check(r, failed, c.errors.sum() == 0, "every stream neither cut nor refused completed (" + c.errors.sum()
                    + " errors" + (c.firstErrors.isEmpty() ? "" : "; the first: " + String.join(" | ", c.firstErrors)) + ")");
            check(r, failed, done > 0 && c.hungUp.sum() > 0, "both kinds happened (" + done + " completed, "
                    + c.hungUp.sum() + " cut)");
            c.errorKinds.forEach((kind, n) -> r.append("- errors: ").append(n.sum()).append(" × ").append(kind).append("\n"));
            if (warm.errors.sum() + warm.malformed.sum() > 0) {
                r.append("- note: the warm-up had ").append(warm.errors.sum() + warm.malformed.sum())
                        .append(" failed turns: ").append(String.join(" | ", warm.firstErrors))
                        .append(String.join(" | ", warm.firstMalformed)).append("\n");
            }
            r.append(failed.isEmpty() ? "\nsoak: all checks passed\n" : "\nsoak: FAILED: " + String.join("; ", failed) + "\n");
            return failed.isEmpty() ? 0 : 1;
        } finally {
            proxy.close();
        }
    }

    static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    static void row(StringBuilder r, String measure, String value) {
        r.append("| ").append(measure).append(" | ").append(value).append(" |\n");
    }

    static void check(StringBuilder r, List<String> failed, boolean ok, String what) {
        r.append("- ").append(ok ? "PASS" : "FAIL").append(": ").append(what).append("\n");
        if (!ok) {
            failed.add(what);
        }
    }

    /**
     * One streamed turn of the soak, counted into {@code c}. With {@code hangUpAfter} ≥ 0 the
     * client closes the connection once it has read that many deltas (0: right after the
     * response head). Otherwise it reads to the end of the body and checks the stream: every data
     * line JSON (but OpenAI's last, {@code [DONE]}), the last event {@code [DONE]} or
     * {@code message_stop}, {@link #DELTAS} deltas, no error event.
     */
    static void soakTurn(Target target, Api api, int hangUpAfter, String text, SoakCounts c) {
        c.started.increment();
        byte[] body = new HttpEndpoint(target, api).body(List.of(Message.user(text)));
        String head = "POST " + api.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + target.port()
                + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nanthropic-version: 2023-06-01"
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        long t0 = System.nanoTime();
        String stage = "connecting";
        int deltas = 0;
        try (Socket s = new Socket()) {
            s.setSoTimeout((int) BATCH_TIMEOUT.toMillis());
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port()), (int) BATCH_TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(concat(head.getBytes(StandardCharsets.US_ASCII), body));
            out.flush();
            stage = "reading the response head";
            ResponseReader in = new ResponseReader(s.getInputStream());
            int status = in.readHead();
            stage = "reading the stream";
            if (status == 429) {
                c.rejected.increment();
                return;
            }
            if (status != 200) {
                String first = in.nextLine();
                c.error(c.errors, c.firstErrors, api.path + ": HTTP " + status + ": " + (first == null ? "" : first));
                return;
            }
            if (hangUpAfter == 0) {
                c.hungUp.increment();
                c.hungUpBeforeDelta.increment();
                return; // try-with-resources closes the socket
            }
            String last = null, notJson = null, error = null;
            for (String data; (data = in.nextData()) != null; ) {
                if (last != null && (last.equals("[DONE]") || last.contains("\"type\":\"message_stop\""))) {
                    notJson = notJson == null ? "data after the last event: " + data : notJson;
                }
                last = data;
                if (data.equals("[DONE]")) {
                    continue;
                }
                if (!Json.valid(data)) {
                    notJson = notJson == null ? "not JSON: " + data : notJson;
                }
                if (data.contains("\"error\":{") || data.startsWith("{\"type\":\"error\"")) {
                    error = error == null ? data : error;
                }
                String delta = Deltas.text(data);
                if (delta != null && !delta.isEmpty()) {
                    if (deltas++ == 0) {
                        c.firstDelta.add((System.nanoTime() - t0) / 1000);
                    }
                    c.deltas.increment();
                    if (deltas == hangUpAfter) {
                        c.hungUp.increment();
                        return;
                    }
                }
            }
            boolean ended = last != null && (api == Api.OPENAI ? last.equals("[DONE]")
                    : last.startsWith("{") && last.contains("\"type\":\"message_stop\""));
            if (error != null) {
                c.error(c.errors, c.firstErrors, api.path + ": error event: " + error);
            } else if (!ended) {
                c.error(c.errors, c.firstErrors, api.path + ": the stream ended without its last event after "
                        + deltas + " deltas; last data: " + last);
            } else if (notJson != null || deltas != DELTAS) {
                c.error(c.malformed, c.firstMalformed, api.path + ": " + (notJson != null ? notJson
                        : deltas + " deltas instead of " + DELTAS));
            } else {
                (api == Api.OPENAI ? c.openai : c.anthropic).increment();
            }
        } catch (IOException e) {
            c.errorKinds.computeIfAbsent(api.path + ": " + e + " while " + stage + (deltas > 0 ? " (after a delta)" : ""),
                    k -> new LongAdder()).increment();
            c.error(c.errors, c.firstErrors, api.path + ": " + e + " (" + stage + ", after " + deltas + " deltas, "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        }
    }

    /** A JSON validator (RFC 8259 syntax), enough to say whether an SSE data line is one JSON value. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static boolean valid(String s) {
            Json j = new Json(s);
            try {
                j.value();
                j.ws();
                return j.i == s.length();
            } catch (RuntimeException e) {
                return false;
            }
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private void expect(char ch) {
            if (s.charAt(i++) != ch) {
                throw new IllegalArgumentException();
            }
        }

        private void value() {
            ws();
            char ch = s.charAt(i);
            switch (ch) {
                case '{' -> members('}', true);
                case '[' -> members(']', false);
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number();
            }
        }

        private void members(char close, boolean object) {
            i++;
            ws();
            if (s.charAt(i) == close) {
                i++;
                return;
            }
            while (true) {
                if (object) {
                    ws();
                    string();
                    ws();
                    expect(':');
                }
                value();
                ws();
                if (s.charAt(i) == ',') {
                    i++;
                } else {
                    expect(close);
                    return;
                }
            }
        }

        private void string() {
            expect('"');
            while (true) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    return;
                }
                if (ch < 0x20) {
                    throw new IllegalArgumentException();
                }
                if (ch == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') {
                        Integer.parseInt(s.substring(i, i + 4), 16);
                        i += 4;
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw new IllegalArgumentException();
                    }
                }
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) {
                throw new IllegalArgumentException();
            }
            i += word.length();
        }

        private void number() {
            int from = i;
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
            }
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
                throw new IllegalArgumentException("bad number at " + from);
            }
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                int frac = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == frac) {
                    throw new IllegalArgumentException();
                }
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int exp = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == exp) {
                    throw new IllegalArgumentException();
                }
            }
        }
    }

    // ---- real CLI from npm, against a fake Anthropic API -------------------------------------

    void realCli() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            Path home = Files.createTempDirectory(build.resolve("home"), "real-");
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", home.toString());
            env.put("LANG", "C.UTF-8");
            env.put("ANTHROPIC_BASE_URL", upstream.baseUrl());
            env.put("ANTHROPIC_API_KEY", "x");
            env.put("DISABLE_AUTOUPDATER", "1");
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("DISABLE_TELEMETRY", "1");
            env.put("DISABLE_ERROR_REPORTING", "1");
            List<Target> started = new ArrayList<>();
            try {
                Target cold = Target.proxy("real-cold", this, realCli, env, reuse(0, 0));
                started.add(cold);
                Target warm = reuseFlags ? Target.proxy("real-warm", this, realCli, env, reuse(2, 0)) : null;
                Target live = reuseFlags ? Target.proxy("real-live", this, realCli, env, reuse(0, 4)) : null;
                List<Lane> lanes = new ArrayList<>();
                Lane coldLane = new Lane(new HttpEndpoint(cold, Api.ANTHROPIC), false, 0);
                lanes.add(coldLane);
                Lane warmLane = null, liveLane = null;
                if (warm != null) {
                    started.add(warm);
                    started.add(live);
                    warmLane = new Lane(new HttpEndpoint(warm, Api.ANTHROPIC), false, REAL_SETTLE_MS);
                    liveLane = new Lane(new HttpEndpoint(live, Api.ANTHROPIC), true, 0);
                    lanes.add(warmLane);
                    lanes.add(liveLane);
                }
                for (Target t : started) {
                    t.awaitListening();
                }
                Lane.rounds(lanes, plan.realWarmUp(), plan.realTurns());
                table.section("Time to first delta, real CLI " + Proc.output(List.of(realCli.toString(), "--version")).strip()
                        + " against a fake Anthropic API on 127.0.0.1 (n=" + plan.realTurns() + " each, interleaved)");
                table.row("cold spawn: new conversation", "first delta p50 / p99", coldLane.firstDelta(), "", "", "");
                table.row("warm pool: new conversation, ≥ " + REAL_SETTLE_MS + " ms apart", "first delta p50 / p99",
                        warmLane == null ? "flag not in this build" : warmLane.firstDelta(), "", "", "");
                table.row("live conversation: turns 2–" + (plan.realTurns() + 1) + " of one conversation",
                        "first delta p50 / p99", liveLane == null ? "flag not in this build" : liveLane.firstDelta(),
                        "", "", "");
                notes.add("Real CLI: the fake Anthropic API answered " + upstream.requests() + " requests.");
            } finally {
                started.forEach(Target::close);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The environment of every server measured here: no login, no proxy settings, a private HOME. */
    Map<String, String> fakeEnv(int startMs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", build.resolve("peer-bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", build.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
        env.put("FAKE_START_MS", "" + startMs);
        env.put("FAKE_DELTAS", "" + DELTAS);
        env.put("FAKE_PACE_MS", "0");
        env.put("FAKE_TTFT_MS", "0");
        return env;
    }

    void note(Endpoint lane, Reply r) {
        if (notes.stream().noneMatch(n -> n.startsWith(lane.name()))) {
            notes.add(lane.name() + ": first error: " + r.error());
        }
    }

    static String errors(int errors, int of) {
        return errors == 0 ? "" : " — " + errors + " of " + of + " failed";
    }

    String report() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("\n").append(Machine.describe(java)).append("\n\n");
        b.append(table.markdown(peer != null));
        if (!notes.isEmpty()) {
            b.append("\n");
            notes.forEach(n -> b.append("- ").append(n).append("\n"));
        }
        return b.toString();
    }

    static void log(String what) {
        System.err.printf(Locale.ROOT, "bench: %4.0f s  %s%n", (System.nanoTime() - STARTED) / 1e9, what);
    }

    /** Microseconds as milliseconds: one decimal below 100 ms. */
    static String ms(long micros) {
        double v = micros / 1000.0;
        return Math.abs(v) < 100 ? String.format(Locale.ROOT, "%.1f ms", v) : String.format(Locale.ROOT, "%.0f ms", v);
    }

    static String signed(long micros) {
        return (micros >= 0 ? "+" : "−") + ms(Math.abs(micros));
    }

    static String mb(long kb) {
        return (kb + 512) / 1024 + " MB";
    }

    // ---- the table -----------------------------------------------------------------------------

    /** Rows of four cells: the proxy's Anthropic API, its OpenAI API, the npm peer, and no proxy at all. */
    static final class Table {
        private final StringBuilder rows = new StringBuilder();

        void section(String title) {
            rows.append("| **").append(title).append("** | | | | | |\n");
        }

        void row(String scenario, String measure, String... cells) {
            rows.append("| ").append(scenario).append(" | ").append(measure);
            for (int i = 0; i < 4; i++) {
                String c = i < cells.length && cells[i] != null ? cells[i] : "";
                rows.append(" | ").append(c.isEmpty() ? "—" : c);
            }
            rows.append(" |\n");
        }

        String markdown(boolean withPeer) {
            return "| scenario | measure | claude-proxy `/v1/messages` | claude-proxy `/v1/chat/completions` | "
                    + (withPeer ? "claude-max-api-proxy 1.0.0 (Node)" : "claude-max-api-proxy (not run)")
                    + " | no proxy: Java reads the fake |\n| --- | --- | --- | --- | --- | --- |\n" + rows;
        }
    }

    // ---- lanes: one kind of turn, repeated, interleaved with the others -----------------------

    /**
     * One server and one way of asking it: a new conversation every turn, or one conversation
     * continued turn after turn (the next request = the previous messages + the exact answer the
     * server gave + a new question). {@code gapMs} spaces its turns (a warm pool needs that long
     * to refill).
     */
    static final class Lane {
        final Endpoint endpoint;
        final boolean continues;
        final long gapMs;
        final Samples first = new Samples();
        final List<Message> history = new ArrayList<>();
        int errors, turns;
        long lastEnd;

        Lane(Endpoint endpoint, boolean continues, long gapMs) {
            this.endpoint = endpoint;
            this.continues = continues;
            this.gapMs = gapMs;
        }

        /**
         * Unmeasured warm-up turns on every lane first (the servers' JIT, the pool's first sight
         * of this kind of turn, the live conversation's start), then {@code n} measured rounds of
         * one turn per lane. A short pause after each turn lets that server finish its after-turn
         * work (killing, reaping, refilling) before the next server is timed: on 2 cores it would
         * otherwise be charged to whichever server comes next.
         */
        static void rounds(List<Lane> lanes, int warmUp, int n) throws Exception {
            for (Lane lane : lanes) {
                lane.warmUp(warmUp);
            }
            for (int round = 1; round <= n; round++) {
                for (Lane lane : lanes) {
                    lane.turn(round, true);
                    Thread.sleep(SETTLE_MS);
                }
            }
        }

        /**
         * {@code turns} unmeasured turns. A continuing lane holds short conversations (5 turns), then
         * starts the one it measures, whose first turn is a new conversation and so not timed. Other
         * lanes start new conversations 8 at a time, so their start-ups overlap.
         */
        void warmUp(int turns) throws Exception {
            if (continues) {
                for (int i = 0; i < turns; i++) {
                    if (i % 5 == 0) {
                        history.clear();
                    }
                    turn(-1 - i, false);
                }
                history.clear();
                turn(0, false);
                return;
            }
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < turns; i += 8) {
                    List<Future<Reply>> batch = new ArrayList<>();
                    for (int j = i; j < Math.min(turns, i + 8); j++) {
                        Message m = Message.user("Warm-up " + j + " of " + endpoint.name() + ".");
                        batch.add(threads.submit(() -> endpoint.ask(List.of(m), TURN_TIMEOUT)));
                    }
                    for (Future<Reply> f : batch) {
                        f.get();
                    }
                }
            }
            lastEnd = System.nanoTime(); // a warm pool refills from here
        }

        /** The size of the conversation so far: messages, and characters of text. */
        String historySize() {
            long chars = history.stream().mapToLong(m -> m.text().length()).sum();
            return history.size() + " messages, " + (chars + 512) / 1024 + " KB of text";
        }

        void turn(int round, boolean measured) throws InterruptedException {
            long wait = lastEnd + gapMs * 1_000_000 - System.nanoTime();
            if (gapMs > 0 && wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            Message question = Message.user("Turn " + round + " of " + endpoint.name() + ": tell me something.");
            List<Message> messages = new ArrayList<>(continues ? history : List.of());
            messages.add(question);
            Reply r = endpoint.ask(messages, TURN_TIMEOUT).complete(DELTAS);
            lastEnd = System.nanoTime();
            boolean measure = measured && (!continues || !history.isEmpty()); // a live lane's first turn is cold
            if (r.ok() && continues) {
                history.add(question);
                history.add(new Message("assistant", r.text()));
            } else if (!r.ok()) {
                history.clear(); // start a new conversation; its first turn is not measured
            }
            if (measure) {
                turns++;
                if (r.ok()) {
                    first.add(r.firstDeltaNanos() / 1000);
                } else {
                    errors++;
                    log(endpoint.name() + ": " + r.error());
                }
            }
        }

        String firstDelta() {
            return first.count() == 0 ? "no answer" : "p50 " + ms(first.pct(50)) + " · p99 " + ms(first.pct(99))
                    + errors(errors, turns);
        }
    }

    // ---- endpoints: what answers a turn ---------------------------------------------------------

    record Message(String role, String text) {
        static Message user(String text) {
            return new Message("user", text);
        }
    }

    /**
     * One answered turn. Times are nanoseconds from the start of the request (connect, or spawn);
     * delays are microseconds from each delta's send stamp to its arrival.
     */
    record Reply(long firstDeltaNanos, long lastDeltaNanos, long totalNanos, int deltas, String text,
            long[] delaysMicros, String error) {
        boolean ok() {
            return error == null;
        }

        Reply failed(String why) {
            return new Reply(firstDeltaNanos, lastDeltaNanos, totalNanos, deltas, text, delaysMicros, why);
        }

        /** This reply, or a failed one if it ended well but with another number of deltas than asked for. */
        Reply complete(int expected) {
            return ok() && deltas != expected ? failed(deltas + " deltas instead of " + expected) : this;
        }
    }

    interface Endpoint {
        String name();

        /** Asks for one streamed turn; never throws: a failure is a reply with an error. */
        Reply ask(List<Message> messages, Duration timeout);
    }

    enum Api {
        ANTHROPIC("/v1/messages"), OPENAI("/v1/chat/completions");

        final String path;

        Api(String path) {
            this.path = path;
        }
    }

    /** A server's streaming endpoint, spoken to over a plain HTTP/1.1 socket, one connection per turn. */
    record HttpEndpoint(Target target, Api api) implements Endpoint {
        public String name() {
            return target.name + " " + api.path;
        }

        public Reply ask(List<Message> messages, Duration timeout) {
            byte[] body = body(messages);
            String head = "POST " + api.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + target.port()
                    + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nanthropic-version: 2023-06-01"
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            Turn turn = new Turn();
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) timeout.toMillis());
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port()), (int) timeout.toMillis());
                OutputStream out = s.getOutputStream();
                out.write(concat(head.getBytes(StandardCharsets.US_ASCII), body));
                out.flush();
                ResponseReader in = new ResponseReader(s.getInputStream());
                int status = in.readHead();
                if (status != 200) {
                    String first = in.nextLine();
                    return turn.end("HTTP " + status + ": " + cut(first == null ? "" : first));
                }
                for (String data; (data = in.nextData()) != null; ) {
                    String delta = Deltas.text(data);
                    if (delta != null) {
                        turn.delta(delta);
                    } else if (data.equals("[DONE]") || data.startsWith("{\"type\":\"message_stop\"")) {
                        return turn.end(null);
                    } else if (data.contains("\"error\":{")) {
                        return turn.end("error event: " + cut(data));
                    }
                }
                return turn.end("the stream ended without its last event");
            } catch (IOException e) {
                return turn.end(e.toString());
            }
        }

        private byte[] body(List<Message> messages) {
            StringBuilder b = new StringBuilder("{\"model\":\"opus\",\"stream\":true,");
            if (api == Api.ANTHROPIC) {
                b.append("\"max_tokens\":").append(MAX_TOKENS).append(',');
            }
            b.append("\"messages\":[");
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                b.append(i == 0 ? "" : ",").append("{\"role\":\"").append(m.role()).append("\",\"content\":");
                Deltas.quote(b, m.text());
                b.append('}');
            }
            return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * No proxy: the fake spawned with ProcessBuilder and read on this thread, as the proxy would
     * run it. Its time to first delta is the Java spawn floor; its event delay the pipe's.
     */
    record DirectFake(Path fake, Map<String, String> env) implements Endpoint {
        public String name() {
            return "direct";
        }

        public Reply ask(List<Message> messages, Duration timeout) {
            StringBuilder line = new StringBuilder("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":");
            Deltas.quote(line, messages.getLast().text());
            line.append("}]}}\n");
            ProcessBuilder pb = new ProcessBuilder(fake.toString(), "-p", "--input-format", "stream-json",
                    "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--model", "opus")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            pb.environment().putAll(env);
            Turn turn = new Turn();
            Process p = null;
            try {
                p = pb.start();
                Process started = p;
                CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(started::destroyForcibly);
                OutputStream stdin = p.getOutputStream();
                stdin.write(line.toString().getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
                for (String l; (l = out.readLine()) != null; ) {
                    String delta = Deltas.text(l);
                    if (delta != null) {
                        turn.delta(delta);
                    } else if (l.startsWith("{\"duration_api_ms\"") || l.contains("\"type\":\"result\"")) {
                        stdin.close(); // the CLI exits at stdin's end
                        p.waitFor();
                        return turn.end(null);
                    }
                }
                return turn.end("the fake ended without a result");
            } catch (IOException e) {
                return turn.end(e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return turn.end("interrupted");
            } finally {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** What a client sees of one turn as it arrives. */
    static final class Turn {
        final long start = System.nanoTime();
        long first, last;
        final StringBuilder text = new StringBuilder();
        long[] delays = new long[64];
        int deltas;

        void delta(String piece) {
            if (piece.isEmpty()) {
                return; // the OpenAI role chunk
            }
            long arrived = wallMicros();
            last = System.nanoTime() - start;
            if (deltas == 0) {
                first = last;
            }
            if (deltas == delays.length) {
                delays = Arrays.copyOf(delays, deltas * 2);
            }
            long sent = Deltas.stamp(piece);
            delays[deltas++] = sent < 0 ? 0 : arrived - sent;
            text.append(piece);
        }

        Reply end(String error) {
            if (error == null && deltas == 0) {
                error = "no delta";
            }
            return new Reply(first, last, System.nanoTime() - start, deltas, text.toString(),
                    Arrays.copyOf(delays, deltas), error);
        }
    }

    static long wallMicros() {
        Instant now = Instant.now(); // CLOCK_REALTIME, as the fakes' stamps
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** Finding text deltas in SSE data and CLI lines, without a JSON library. */
    static final class Deltas {
        /**
         * The text of a delta event, or null if {@code json} is none: the first string field
         * {@code "text"} or {@code "content"} after {@code "delta":{}. That is the Anthropic
         * content_block_delta, the OpenAI chunk, and the CLI's stream_event line alike.
         */
        static String text(String json) {
            int d = json.indexOf("\"delta\":{");
            if (d < 0) {
                return null;
            }
            int t = json.indexOf("\"text\":\"", d);
            int c = json.indexOf("\"content\":\"", d);
            if (t < 0 && c < 0) {
                return null;
            }
            int start = t >= 0 && (c < 0 || t < c) ? t + 8 : c + 11;
            return unquote(json, start);
        }

        /** The JSON string body starting at {@code from}, unescaped, up to its closing quote. */
        static String unquote(String s, int from) {
            StringBuilder b = null;
            for (int i = from; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"') {
                    return b == null ? s.substring(from, i) : b.toString();
                }
                if (ch == '\\') {
                    if (b == null) {
                        b = new StringBuilder(s.substring(from, i));
                    }
                    char e = s.charAt(++i);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else if (b != null) {
                    b.append(ch);
                }
            }
            return null;
        }

        static void quote(StringBuilder b, String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> {
                        if (ch < 0x20) {
                            b.append(String.format("\\u%04x", (int) ch));
                        } else {
                            b.append(ch);
                        }
                    }
                }
            }
            b.append('"');
        }

        /** The send time in a delta {@code t<epoch micros>;...}, or -1. */
        static long stamp(String piece) {
            if (piece.length() < 3 || piece.charAt(0) != 't') {
                return -1;
            }
            long v = 0;
            for (int i = 1; i < piece.length(); i++) {
                char ch = piece.charAt(i);
                if (ch == ';') {
                    return v;
                }
                if (ch < '0' || ch > '9') {
                    return -1;
                }
                v = v * 10 + (ch - '0');
            }
            return -1;
        }
    }

    /**
     * An HTTP/1.1 response read straight off a socket: the status line and headers, then the body
     * line by line, de-chunked. Lines are the SSE lines; one buffer, no per-byte calls.
     */
    static final class ResponseReader {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos, lim;
        private boolean chunked;
        private long left; // body bytes left in this chunk, or in the whole body
        private boolean end;
        private byte[] line = new byte[1024];

        ResponseReader(InputStream in) {
            this.in = in;
        }

        /** Reads the status line and headers; returns the status. */
        int readHead() throws IOException {
            String status = rawLine();
            if (status == null || !status.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: " + status);
            }
            left = Long.MAX_VALUE; // no length: the body ends with the connection
            for (String h; (h = rawLine()) != null && !h.isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                    left = 0;
                } else if (lower.startsWith("content-length:") && !chunked) {
                    left = Long.parseLong(h.substring(15).strip());
                }
            }
            return Integer.parseInt(status.substring(9, 12));
        }

        /** The next body line without its line end, or null at the end of the body. */
        String nextLine() throws IOException {
            int n = readLine();
            return n < 0 ? null : new String(line, 0, n, StandardCharsets.UTF_8);
        }

        /**
         * The payload of the next SSE {@code data:} line, or null at the end of the body. Other
         * lines are skipped as bytes: at 100,000 events a second the client's own cost counts.
         */
        String nextData() throws IOException {
            for (int n; (n = readLine()) >= 0; ) {
                if (n >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':') {
                    int from = n > 5 && line[5] == ' ' ? 6 : 5;
                    return new String(line, from, n - from, StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** Reads the next body line into {@code line}; its length without the line end, or -1 at the end. */
        private int readLine() throws IOException {
            int n = 0;
            while (true) {
                int avail = segment();
                if (avail < 0) {
                    return n > 0 ? n : -1;
                }
                int stop = pos + avail, nl = pos;
                while (nl < stop && buf[nl] != '\n') {
                    nl++;
                }
                int take = nl - pos;
                if (n + take > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, n + take));
                }
                System.arraycopy(buf, pos, line, n, take);
                n += take;
                consume(nl < stop ? take + 1 : take);
                if (nl < stop) {
                    return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                }
            }
        }

        /** Body bytes available at {@code pos} without crossing a chunk, or -1 at the end of the body. */
        private int segment() throws IOException {
            if (end) {
                return -1;
            }
            if (chunked && left == 0) {
                String size = rawLine();
                if (size != null && size.isEmpty()) {
                    size = rawLine(); // the CRLF that ends the previous chunk's data
                }
                left = size == null ? 0 : Long.parseLong(size.split(";")[0].strip(), 16);
                if (left == 0) {
                    end = true;
                    return -1;
                }
            }
            if (left == 0 || (pos == lim && fill() < 0)) {
                end = true;
                return -1;
            }
            return (int) Math.min(lim - pos, left);
        }

        private void consume(int n) {
            pos += n;
            left -= n;
        }

        private int fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            pos = 0;
            lim = Math.max(n, 0);
            return n;
        }

        /** A CRLF-ended line of the head or a chunk header (ASCII). */
        private String rawLine() throws IOException {
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos == lim && fill() < 0) {
                    return b.isEmpty() ? null : b.toString();
                }
                byte c = buf[pos++];
                if (c == '\n') {
                    int len = b.length();
                    return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
                }
                b.append((char) c);
            }
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String cut(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }

    // ---- many streams at once --------------------------------------------------------------------

    /** The outcome of {@code streams} simultaneous turns: first deltas from the common start, event delays. */
    record Batch(int errors, String firstError, Samples firstDelta, Samples delay, long wallNanos) {
        /** Starts every turn on its own virtual thread behind one gate, and waits for all (bounded). */
        static Batch run(Endpoint endpoint, int streams, String text) throws InterruptedException {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            long start;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < streams; i++) {
                    Message m = Message.user(text + " Stream " + i + ".");
                    replies.add(threads.submit(() -> {
                        gate.await();
                        return endpoint.ask(List.of(m), BATCH_TIMEOUT);
                    }));
                }
                start = System.nanoTime();
                gate.countDown();
                threads.shutdown();
                if (!threads.awaitTermination(BATCH_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                    threads.shutdownNow(); // socket timeouts end them: this is a backstop
                }
            }
            long wall = System.nanoTime() - start;
            Samples first = new Samples(), delay = new Samples();
            int errors = 0;
            String firstError = null;
            for (Future<Reply> f : replies) {
                Reply r;
                try {
                    r = f.get(1, TimeUnit.SECONDS);
                } catch (Exception e) {
                    r = new Reply(0, 0, 0, 0, "", new long[0], e.toString());
                }
                r = r.complete(DELTAS);
                if (r.ok()) {
                    first.add(r.firstDeltaNanos() / 1000);
                    delay.addAll(r.delaysMicros());
                } else {
                    errors++;
                    firstError = firstError == null ? cut(r.error()) : firstError;
                }
            }
            return new Batch(errors, firstError, first, delay, wall);
        }
    }

    // ---- the processes measured ------------------------------------------------------------------

    /**
     * A server under test (the proxy or the peer) as a child process: its stdout is watched for
     * the line that says it listens, then copied to bench/.build/logs with its stderr. Every
     * target ever started is stopped at exit, with whatever processes it left behind.
     */
    static final class Target implements AutoCloseable {
        private static final List<Target> ALL = new ArrayList<>();
        private static final Pattern LISTENING = Pattern.compile("(?:listening on|running at) http://[^:]+:(\\d+)");

        final String name;
        final Process process;
        private final long spawned = System.nanoTime();
        private final CompletableFuture<Integer> port = new CompletableFuture<>();
        private volatile long listeningNanos;

        private Target(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            Thread.ofPlatform().daemon().name("out-" + name).start(() -> watch(log));
            synchronized (ALL) {
                ALL.add(this);
            }
        }

        static Target proxy(String name, Bench b, Path claude, Map<String, String> env, List<String> flags)
                throws IOException {
            List<String> argv = new ArrayList<>(List.of(b.java.toString()));
            argv.addAll(b.proxyJavaOpts);
            argv.addAll(List.of("-jar", b.jar.toString(), "--port", "0", "--claude", claude.toString()));
            argv.addAll(flags);
            return start(name, argv, env, b.build);
        }

        /** The peer: `node standalone.js PORT`, finding `claude` (the fake) first on its PATH. */
        static Target peer(String name, Bench b, Map<String, String> env) throws IOException {
            Path bin = Files.createDirectories(b.build.resolve("peer-bin"));
            Path link = bin.resolve("claude");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, b.fake);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort(); // the peer takes no port 0
            }
            return start(name, List.of("node", b.peer.toString(), "" + port), env, b.build);
        }

        private static Target start(String name, List<String> argv, Map<String, String> env, Path build)
                throws IOException {
            Path log = build.resolve("logs").resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectError(build.resolve("logs").resolve(name + ".err").toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            return new Target(name, pb.start(), log);
        }

        private void watch(Path log) {
            try (BufferedReader r = process.inputReader(); var out = new PrintStream(Files.newOutputStream(log), true)) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (!port.isDone() && m.find()) {
                        listeningNanos = System.nanoTime() - spawned;
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                    out.println(line);
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new IOException(name + " exited before it listened; see bench/.build/logs"));
        }

        void awaitListening() throws Exception {
            port.get(60, TimeUnit.SECONDS);
        }

        int port() {
            return port.join();
        }

        String startup() {
            long rss = Proc.status(process.pid())[0];
            return ms(listeningNanos / 1000) + " · " + mb(rss);
        }

        long children() {
            return process.toHandle().children().count();
        }

        /** Waits up to {@code limit} for the server's CLI processes to go; how many are left. */
        long childrenAfter(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            long n;
            while ((n = children()) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            return n;
        }

        @Override
        public void close() {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroy(); // SIGTERM: both servers stop their CLIs on it
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tree.forEach(ProcessHandle::destroyForcibly); // whatever it did not stop
        }

        static void stopAll() {
            List<Target> all;
            synchronized (ALL) {
                all = new ArrayList<>(ALL);
            }
            all.stream().filter(t -> t.process.isAlive()).forEach(Target::close);
        }
    }

    /**
     * Samples a process's RSS and thread count from /proc every 10 ms, and its child processes
     * every 100 ms (that walks all of /proc), keeping the peaks.
     */
    static final class Sampler implements AutoCloseable {
        private final Target target;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private final long firstRssKb;
        private volatile long peakRssKb, peakThreads, peakChildren;

        Sampler(Target target) {
            this.target = target;
            this.firstRssKb = Proc.status(target.process.pid())[0];
            this.thread = Thread.ofPlatform().daemon().name("sampler").start(this::loop);
        }

        private void loop() {
            long pid = target.process.pid();
            for (int i = 0; running.get(); i++) {
                long[] s = Proc.status(pid);
                peakRssKb = Math.max(peakRssKb, s[0]);
                peakThreads = Math.max(peakThreads, s[1]);
                if (i % 10 == 0) {
                    peakChildren = Math.max(peakChildren, target.children());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }


        long firstRssKb() {
            return firstRssKb;
        }

        long peakRssKb() {
            return peakRssKb;
        }

        long peakThreads() {
            return peakThreads;
        }

        long peakChildren() {
            return peakChildren;
        }

        /** Stops sampling (the peaks stay readable); safe to call twice. */
        @Override
        public void close() {
            running.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Small process helpers. */
    static final class Proc {
        /** {VmRSS in kB, Threads} of a process, zeros if it is gone. */
        static long[] status(long pid) {
            long[] out = new long[2];
            try {
                for (String line : Files.readAllLines(Path.of("/proc", "" + pid, "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        out[0] = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("Threads:")) {
                        out[1] = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // gone
            }
            return out;
        }

        /** The number of open file descriptors of a process (entries of /proc/PID/fd), -1 if unreadable. */
        static long fds(long pid) {
            try (var fds = Files.list(Path.of("/proc", "" + pid, "fd"))) {
                return fds.count();
            } catch (IOException | UncheckedIOException e) {
                return -1;
            }
        }

        /** How many running processes execute {@code binary}, anywhere on the machine (as pgrep would find them). */
        static long running(Path binary) {
            String want;
            try {
                want = binary.toRealPath().toString();
            } catch (IOException e) {
                want = binary.toString();
            }
            String w = want;
            return ProcessHandle.allProcesses().filter(p -> p.isAlive()
                    && p.info().command().map(cmd -> cmd.equals(w) || cmd.equals(binary.toString())).orElse(false)).count();
        }

        /** The output (stdout and stderr) of a short command, bounded to 60 s; empty if it cannot run. */
        static String output(List<String> command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                });
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                return out.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                return "";
            }
        }
    }

    /** The machine the numbers come from. */
    static final class Machine {
        static String describe(Path java) throws IOException {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
            long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
            String node = Proc.output(List.of("node", "--version")).strip();
            return String.format(Locale.ROOT, "Machine: %d cores (%s), %.1f GiB RAM, %s %s; JDK %s; node %s.",
                    Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0, System.getProperty("os.name"),
                    System.getProperty("os.version"), Runtime.version(), node.isEmpty() ? "absent" : node);
        }
    }

    /** Microsecond samples with nearest-rank percentiles. */
    static final class Samples {
        private long[] values = new long[64];
        private int count;

        static Samples[] array(int n) {
            Samples[] a = new Samples[n];
            Arrays.setAll(a, i -> new Samples());
            return a;
        }

        synchronized void add(long v) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = v;
        }

        synchronized void addAll(long[] vs) {
            for (long v : vs) {
                add(v);
            }
        }

        synchronized int count() {
            return count;
        }

        /** The p-th percentile (nearest rank; 100 = the maximum); 0 without samples. */
        synchronized long pct(double p) {
            if (count == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100 * count);
            return sorted[Math.max(0, Math.min(count, rank) - 1)];
        }
    }

    // ---- a fake Anthropic API for the real CLI ---------------------------------------------------

    /**
     * {@code POST /v1/messages} on 127.0.0.1: every streamed request gets 50 stamped text deltas as
     * the API sends them (message_start, content_block_start, deltas, content_block_stop,
     * message_delta, message_stop); {@code "stream":false} gets the same as one message;
     * {@code count_tokens} a count. Anything else is a 404.
     */
    static final class FakeUpstream implements AutoCloseable {
        private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
        private static final Pattern NOT_STREAMED = Pattern.compile("\"stream\"\\s*:\\s*false");
        private final HttpServer server;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private int requests;

        FakeUpstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        synchronized int requests() {
            return requests;
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String path = ex.getRequestURI().getPath();
                synchronized (this) {
                    requests++;
                }
                if (!path.startsWith("/v1/messages")) {
                    send(ex, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"" + path + "\"}}");
                    return;
                }
                if (path.endsWith("/count_tokens")) {
                    send(ex, 200, "{\"input_tokens\":10}");
                    return;
                }
                Matcher m = MODEL.matcher(body);
                String model = m.find() ? m.group(1) : "claude-opus-5-5";
                String id = "msg_bench_" + System.nanoTime();
                if (NOT_STREAMED.matcher(body).find()) {
                    StringBuilder text = new StringBuilder();
                    for (int i = 0; i < DELTAS; i++) {
                        text.append("t").append(wallMicros()).append("; lorem");
                    }
                    send(ex, 200, "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                            + "\",\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"stop_reason\":\"end_turn\","
                            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":" + DELTAS + "}}");
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.getResponseHeaders().set("request-id", "req_" + id);
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}");
                event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
                for (int i = 0; i < DELTAS; i++) {
                    event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                            + "{\"type\":\"text_delta\",\"text\":\"t" + wallMicros() + "; lorem\"}}");
                }
                event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
                event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + DELTAS + "}}");
                event(out, "message_stop", "{\"type\":\"message_stop\"}");
            }
        }

        private static void event(OutputStream out, String name, String json) throws IOException {
            out.write(("event: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private static void send(HttpExchange ex, int status, String json) throws IOException {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }

        @Override
        public void close() {
            server.stop(0);
            executor.close();
        }
    }
}
