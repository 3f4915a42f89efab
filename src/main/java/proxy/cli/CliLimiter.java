package proxy.cli;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code maxConcurrent} CLI turns at once, and at most {@code maxQueue} requests waiting
 * for one. A waiting request costs one parked virtual thread, so the queue may be deep; its
 * wait is bounded by the caller, who waits in slices ({@link #awaitSlot}) to keep a stream
 * alive meanwhile. A request that finds the queue full is refused at once (the caller answers
 * 429), so an overloaded proxy says so instead of piling up work it cannot do.
 */
final class CliLimiter {

    private final Semaphore slots;
    private final int maxQueue;
    private final AtomicInteger waiting = new AtomicInteger();

    CliLimiter(int maxConcurrent, int maxQueue) {
        this.slots = new Semaphore(maxConcurrent, true);
        this.maxQueue = maxQueue;
    }

    /** Takes a slot if one is free now. */
    boolean tryAcquire() {
        return slots.tryAcquire();
    }

    /** Joins the queue; false if it is full. Every true is followed by one {@link #leaveQueue}. */
    boolean enterQueue() {
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Waits up to {@code slice} for a slot (in the queue); true if one was taken. */
    boolean awaitSlot(Duration slice) throws InterruptedException {
        return slots.tryAcquire(slice.toNanos(), TimeUnit.NANOSECONDS);
    }

    void leaveQueue() {
        waiting.decrementAndGet();
    }

    void release() {
        slots.release();
    }

    int waiting() {
        return waiting.get();
    }
}
