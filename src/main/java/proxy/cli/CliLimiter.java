package proxy.cli;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * At most {@code maxConcurrent} CLI turns at once, and at most {@code maxQueue} requests waiting
 * for one, served first come, first served. A waiting request costs one parked virtual thread,
 * so the queue may be deep; its wait is bounded by the caller, who waits in slices
 * ({@link #awaitSlot}) to keep a stream alive meanwhile, and keeps its place in line between
 * slices (its {@link Ticket}). A newcomer never takes a free slot ahead of the line. A request
 * that finds the queue full is refused at once (the caller answers 429), so an overloaded proxy
 * says so instead of piling up work it cannot do.
 */
final class CliLimiter {

    /** A place in line: from {@link #enterQueue} until its slot is taken or {@link #leaveQueue}. */
    static final class Ticket {
        private final Condition turn;

        private Ticket(Condition turn) {
            this.turn = turn;
        }
    }

    private final int maxQueue;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Ticket> line = new ArrayDeque<>();
    private int free;

    CliLimiter(int maxConcurrent, int maxQueue) {
        this.free = maxConcurrent;
        this.maxQueue = maxQueue;
    }

    /** Takes a slot if one is free now and nobody waits for one. */
    boolean tryAcquire() {
        lock.lock();
        try {
            if (free > 0 && line.isEmpty()) {
                free--;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Joins the end of the line; null if the queue is full. Every ticket ends with a slot or {@link #leaveQueue}. */
    Ticket enterQueue() {
        lock.lock();
        try {
            if (line.size() >= maxQueue) {
                return null;
            }
            Ticket t = new Ticket(lock.newCondition());
            line.addLast(t);
            return t;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code slice} for {@code ticket}'s turn and a free slot; true if the slot was taken (the ticket is spent). */
    boolean awaitSlot(Ticket ticket, Duration slice) throws InterruptedException {
        lock.lock();
        try {
            long nanos = slice.toNanos();
            while (line.peekFirst() != ticket || free == 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = ticket.turn.awaitNanos(nanos);
            }
            line.removeFirst();
            free--;
            callNext();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives up {@code ticket}'s place (the wait ran out, or the client left); safe after its slot was taken. */
    void leaveQueue(Ticket ticket) {
        lock.lock();
        try {
            if (line.remove(ticket)) {
                callNext();
            }
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            free++;
            callNext();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the first in line if a slot is free for it (with the lock held). */
    private void callNext() {
        Ticket first = line.peekFirst();
        if (first != null && free > 0) {
            first.turn.signal();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return line.size();
        } finally {
            lock.unlock();
        }
    }
}
