package proxy.cli;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * CLI processes started ahead of need, waiting on stdin for their first user line: a new
 * conversation then skips the CLI's start-up (~0.4 s of its ~0.45 s to a first token). The pool
 * learns which process shapes ({@link ProcessKey}) to keep from traffic: the {@code maxKeys}
 * most recently asked for get {@code perKey} spares each, refilled in the background after each
 * take. A spare unused for {@code idle} is stopped and its key forgotten; one that died while it
 * waited is closed and replaced, never handed out. Each spare is handed out at most once.
 *
 * <p>Owns its spares; {@link #close} kills them, and any started later is ended at once.
 */
final class WarmPool implements AutoCloseable {

    private final int perKey;
    private final int maxKeys;
    private final Duration idle;
    /** Starts a spare (null if it could not); called on a background thread. */
    private final Function<ProcessKey, CliSession> starter;
    /** Ends a spare no longer wanted (in the background). */
    private final Consumer<CliSession> retire;
    /** Learned keys, least recently asked for first, with their spares. */
    private final LinkedHashMap<ProcessKey, Deque<CliSession>> spares = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<ProcessKey, Integer> starting = new HashMap<>();
    private boolean closed;

    WarmPool(int perKey, int maxKeys, Duration idle, Function<ProcessKey, CliSession> starter,
            Consumer<CliSession> retire) {
        this.perKey = perKey;
        this.maxKeys = maxKeys;
        this.idle = idle;
        this.starter = starter;
        this.retire = retire;
    }

    /**
     * A spare for {@code key} that was never used, or null if none is waiting. Either way the
     * key is learned (or refreshed) and its spares are topped up in the background.
     */
    CliSession take(ProcessKey key) {
        if (perKey == 0) {
            return null;
        }
        List<CliSession> dead = new ArrayList<>();
        CliSession found = null;
        synchronized (this) {
            if (closed) {
                return null;
            }
            Deque<CliSession> queue = spares.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (found == null && !queue.isEmpty()) {
                CliSession s = queue.pollFirst();
                if (s.isWaiting()) {
                    found = s;
                } else {
                    dead.add(s);
                }
            }
            dead.addAll(forgetBeyond(maxKeys));
        }
        dead.forEach(retire);
        refill(key);
        return found;
    }

    /** Closes spares idle too long (forgetting keys left with none) and replaces dead ones. */
    void sweep(long now) {
        List<CliSession> stop = new ArrayList<>();
        List<ProcessKey> replace = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<ProcessKey, Deque<CliSession>>> it = spares.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<ProcessKey, Deque<CliSession>> e = it.next();
                boolean expired = false;
                for (Iterator<CliSession> s = e.getValue().iterator(); s.hasNext(); ) {
                    CliSession spare = s.next();
                    if (spare.idleLongerThan(idle, now)) {
                        expired = true;
                    } else if (!spare.isWaiting()) {
                        replace.add(e.getKey());
                    } else {
                        continue;
                    }
                    s.remove();
                    stop.add(spare);
                }
                if (expired) { // nobody asked for this shape for a while: stop keeping it
                    stop.addAll(e.getValue());
                    it.remove();
                }
            }
        }
        stop.forEach(retire);
        replace.forEach(this::refill);
    }

    /** Starts spares for {@code key} on a virtual thread until it has {@code perKey}. */
    private void refill(ProcessKey key) {
        if (!reserve(key)) {
            return;
        }
        Thread.ofVirtual().name("cli-warm").start(() -> {
            do {
                CliSession spare = starter.apply(key);
                if (spare == null) {
                    release(key);
                    return; // the CLI cannot start: the next request will say why
                }
                if (!keep(key, spare)) {
                    retire.accept(spare);
                }
            } while (reserve(key));
        });
    }

    /** Reserves the start of one spare for {@code key}, if it needs one. */
    private synchronized boolean reserve(ProcessKey key) {
        Deque<CliSession> queue = spares.get(key);
        int pending = starting.getOrDefault(key, 0);
        if (closed || queue == null || queue.size() + pending >= perKey) {
            return false;
        }
        starting.put(key, pending + 1);
        return true;
    }

    private synchronized void release(ProcessKey key) {
        starting.merge(key, -1, Integer::sum);
        starting.remove(key, 0);
    }

    /** Adds a started spare; false if it is no longer wanted (key forgotten, pool closed). */
    private synchronized boolean keep(ProcessKey key, CliSession spare) {
        release(key);
        Deque<CliSession> queue = spares.get(key);
        if (closed || queue == null || queue.size() >= perKey) {
            return false;
        }
        queue.addLast(spare);
        return true;
    }

    /** Drops the least recently asked-for keys beyond {@code max}; returns their spares. */
    private List<CliSession> forgetBeyond(int max) {
        List<CliSession> out = new ArrayList<>();
        for (Iterator<Deque<CliSession>> it = spares.values().iterator(); spares.size() > max && it.hasNext(); ) {
            out.addAll(it.next());
            it.remove();
        }
        return out;
    }

    /** The spares' process ids (for tests). */
    synchronized List<Long> pids() {
        return spares.values().stream().flatMap(Deque::stream).map(CliSession::pid).toList();
    }

    synchronized int size() {
        return spares.values().stream().mapToInt(Deque::size).sum();
    }

    @Override
    public void close() {
        List<CliSession> all;
        synchronized (this) {
            closed = true;
            all = forgetBeyond(0);
        }
        all.forEach(CliSession::close);
    }
}
