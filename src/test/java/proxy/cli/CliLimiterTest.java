package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The CLI slots are handed out first come, first served, and a waiter keeps its place between slices. */
class CliLimiterTest {

    private static final Duration NOW = Duration.ZERO;
    private static final Duration SLICE = Duration.ofMillis(50);

    @Test
    void aWaiterKeepsItsPlaceAcrossSlicesAndNewcomersDoNotJumpTheLine() throws Exception {
        CliLimiter limiter = new CliLimiter(1, 10);
        assertTrue(limiter.tryAcquire());
        CliLimiter.Ticket first = limiter.enterQueue();
        CliLimiter.Ticket second = limiter.enterQueue();
        assertFalse(limiter.awaitSlot(first, SLICE), "no slot free yet: the slice runs out");
        assertEquals(2, limiter.waiting(), "the first waiter is still first in line");

        limiter.release();
        assertFalse(limiter.tryAcquire(), "a newcomer does not take the slot the line waits for");
        assertFalse(limiter.awaitSlot(second, NOW), "nor does the second in line");
        assertTrue(limiter.awaitSlot(first, NOW), "the first in line gets it");
        limiter.leaveQueue(first); // after its slot was taken: nothing happens
        assertEquals(1, limiter.waiting());

        limiter.release();
        assertTrue(limiter.awaitSlot(second, NOW));
        limiter.release();
        assertTrue(limiter.tryAcquire(), "with nobody in line a newcomer goes straight in");
    }

    @Test
    void leavingTheLineLetsTheNextOneIn() throws Exception {
        CliLimiter limiter = new CliLimiter(1, 10);
        assertTrue(limiter.tryAcquire());
        CliLimiter.Ticket gone = limiter.enterQueue();
        CliLimiter.Ticket next = limiter.enterQueue();
        limiter.release();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                assertTrue(limiter.awaitSlot(next, Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(100);
        limiter.leaveQueue(gone); // the client left: the next in line is woken for the free slot
        waiter.join(Duration.ofSeconds(10));
        assertFalse(waiter.isAlive(), "the next one was let in");
        assertEquals(0, limiter.waiting());
    }

    @Test
    void aFullQueueIsRefused() {
        CliLimiter limiter = new CliLimiter(1, 1);
        assertTrue(limiter.tryAcquire());
        assertTrue(limiter.enterQueue() != null);
        assertNull(limiter.enterQueue());
        assertNull(new CliLimiter(1, 0).enterQueue(), "no queue at all");
    }
}
