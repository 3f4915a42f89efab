package proxy.cli;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code maxConcurrent} CLIs at once, and at most {@code maxQueue} requests waiting
 * for one. A request that finds the queue full is refused at once (the caller answers 429), so
 * an overloaded proxy says so instead of piling up work it cannot do.
 */
final class CliLimiter {

    private final Semaphore slots;
    private final int maxQueue;
    private final AtomicInteger waiting = new AtomicInteger();

    CliLimiter(int maxConcurrent, int maxQueue) {
        this.slots = new Semaphore(maxConcurrent, true);
        this.maxQueue = maxQueue;
    }

    /** Takes a slot, waiting at most {@code maxWait}; false if refused or timed out. */
    boolean acquire(Duration maxWait) throws InterruptedException {
        if (slots.tryAcquire()) {
            return true;
        }
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }

    void release() {
        slots.release();
    }

    int running(int maxConcurrent) {
        return maxConcurrent - slots.availablePermits();
    }

    int waiting() {
        return waiting.get();
    }
}
