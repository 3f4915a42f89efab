package proxy.http;

import com.sun.net.httpserver.HttpHandler;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts exchanges being handled so that shutdown can wait for exactly those, then stop the
 * server at once. ({@code HttpServer.stop(delay)} alone often sleeps the whole delay even when
 * nothing is running.)
 */
public final class InFlight {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int running;

    /** {@code handler}, counted while it runs. */
    public HttpHandler track(HttpHandler handler) {
        return exchange -> {
            enter();
            try {
                handler.handle(exchange);
            } finally {
                exit();
            }
        };
    }

    /** Waits until no exchange is being handled, or {@code limit} has passed; true if idle. */
    public boolean awaitIdle(Duration limit) {
        long nanos = limit.toNanos();
        lock.lock();
        try {
            while (running > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return running == 0;
        } finally {
            lock.unlock();
        }
    }

    private void enter() {
        lock.lock();
        try {
            running++;
        } finally {
            lock.unlock();
        }
    }

    private void exit() {
        lock.lock();
        try {
            if (--running == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
