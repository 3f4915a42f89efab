package proxy.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests being handled. Its filter, the first of every context, gives each exchange its
 * {@link RequestRecord} and its request id, and counts it until it ends: shutdown waits for
 * exactly those, then stops the server at once ({@code HttpServer.stop(delay)} alone often
 * sleeps the whole delay even when nothing is running), and the metrics and status page read
 * what is running now and what ran last.
 */
public final class InFlight {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Set<RequestRecord> running = ConcurrentHashMap.newKeySet();
    /** The last {@link #RECENT} requests that ended, newest last (for the status page). */
    private final ArrayDeque<RequestRecord> recent = new ArrayDeque<>();
    private final boolean keepBodies;

    static final int RECENT = 50;

    /** {@code keepBodies}: whether records keep request and reply text for the log ({@code --log-bodies}). */
    public InFlight(boolean keepBodies) {
        this.keepBodies = keepBodies;
    }

    /** The first filter of a context whose requests belong to {@code api} (a label: anthropic, openai, or empty). */
    public Filter filter(String api) {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                RequestRecord record = new RequestRecord(RequestIds.of(exchange), exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), exchange.getHttpContext().getPath(), api, keepBodies);
                enter(record);
                try {
                    chain.doFilter(new ObservedExchange(exchange, record));
                } finally {
                    record.end(exchange.getResponseCode());
                    exit(record);
                }
            }

            @Override
            public String description() {
                return "request record and in-flight count";
            }
        };
    }

    /** The requests that ended last, newest first, but for monitoring ones. */
    public List<RequestRecord> recent() {
        lock.lock();
        try {
            List<RequestRecord> newestFirst = new ArrayList<>(recent);
            Collections.reverse(newestFirst);
            return newestFirst;
        } finally {
            lock.unlock();
        }
    }

    /** The requests running now, but for monitoring ones ({@link RequestRecord#monitoring}). */
    public List<RequestRecord> running() {
        return running.stream().filter(r -> !r.monitoring()).toList();
    }

    /** Waits until no exchange is being handled, or {@code limit} has passed; true if idle. */
    public boolean awaitIdle(Duration limit) {
        long nanos = limit.toNanos();
        lock.lock();
        try {
            while (!running.isEmpty()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return running.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void enter(RequestRecord record) {
        lock.lock();
        try {
            running.add(record);
        } finally {
            lock.unlock();
        }
    }

    private void exit(RequestRecord record) {
        lock.lock();
        try {
            running.remove(record);
            if (!record.monitoring()) {
                recent.addLast(record);
                if (recent.size() > RECENT) {
                    recent.removeFirst();
                }
            }
            if (running.isEmpty()) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
