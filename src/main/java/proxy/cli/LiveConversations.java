package proxy.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CLI processes of finished conversations, kept for their next turn. A process is filed under
 * its {@link ProcessKey} and the canonical history it holds (the client's turns plus the reply
 * it was given); a request whose key and history (all but its new user turns) equal that is
 * continued on it by writing only the new user line. Each process is handed out at most once:
 * taking it removes it. At most {@code max} are kept (the least recently parked is closed
 * first), each for at most {@code idle}.
 *
 * <p>Owns the kept processes; {@link #close} kills them.
 */
final class LiveConversations implements AutoCloseable {

    /** What a kept process holds: the shape it was started with and the digest of its canonical history. */
    record Key(ProcessKey process, String historyDigest) {}

    private final int max;
    private final Duration idle;
    /** Ends a process no longer kept (in the background). */
    private final Consumer<CliSession> retire;
    private final LinkedHashMap<Key, CliSession> kept = new LinkedHashMap<>();
    private boolean closed;

    LiveConversations(int max, Duration idle, Consumer<CliSession> retire) {
        this.max = max;
        this.idle = idle;
        this.retire = retire;
    }

    boolean enabled() {
        return max > 0;
    }

    /** Keeps {@code session} under {@code key}; closes whatever that displaces. */
    void park(Key key, CliSession session) {
        List<CliSession> stop = new ArrayList<>();
        synchronized (this) {
            if (closed || max == 0) {
                stop.add(session);
            } else {
                CliSession before = kept.remove(key); // one history kept twice (a regenerate, answered alike): the newer
                if (before != null) {
                    stop.add(before);
                }
                kept.put(key, session);
                for (Iterator<CliSession> it = kept.values().iterator(); kept.size() > max; ) {
                    stop.add(it.next());
                    it.remove();
                }
            }
        }
        stop.forEach(retire);
    }

    /** The process kept under {@code key}, now the caller's; null if none is, or it died. */
    CliSession take(Key key) {
        CliSession session;
        synchronized (this) {
            session = kept.remove(key);
        }
        if (session != null && !session.isWaiting()) {
            retire.accept(session);
            return null;
        }
        return session;
    }

    /** Closes processes kept too long, and those that died. */
    void sweep(long now) {
        List<CliSession> stop = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Key, CliSession>> it = kept.entrySet().iterator(); it.hasNext(); ) {
                CliSession s = it.next().getValue();
                if (s.idleLongerThan(idle, now) || !s.isWaiting()) {
                    stop.add(s);
                    it.remove();
                }
            }
        }
        stop.forEach(retire);
    }

    /** The kept processes' ids (for tests). */
    synchronized List<Long> pids() {
        return kept.values().stream().map(CliSession::pid).toList();
    }

    synchronized int size() {
        return kept.size();
    }

    @Override
    public void close() {
        List<CliSession> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(kept.values());
            kept.clear();
        }
        all.forEach(CliSession::close);
    }
}
