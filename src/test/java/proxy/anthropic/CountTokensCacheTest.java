package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link TokenCountCache}: keyed by body bytes and model, 60 s, at most 1000 entries. */
class CountTokensCacheTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final TokenCountCache cache = new TokenCountCache(TokenCountCache.CAPACITY, TokenCountCache.TTL, now::get);

    private static String key(String body, String model) {
        return TokenCountCache.key(body.getBytes(StandardCharsets.UTF_8), model);
    }

    @Test
    void theLimitsAreTheDocumentedOnes() {
        assertEquals(Duration.ofSeconds(60), TokenCountCache.TTL);
        assertEquals(1000, TokenCountCache.CAPACITY);
    }

    @Test
    void theKeyIsTheBodysSha256AndTheModel() {
        // SHA-256 of "abc" (FIPS 180-2 example)
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad opus", key("abc", "opus"));
        assertNotEquals(key("abc", "opus"), key("abc", "sonnet"));
        assertNotEquals(key("{\"a\":1}", "opus"), key("{\"a\": 1}", "opus"));
    }

    @Test
    void anEntryLivesSixtySeconds() {
        cache.put("k", 42);
        now.addAndGet(Duration.ofSeconds(60).toNanos() - 1);
        assertEquals(OptionalLong.of(42), cache.get("k"));
        now.addAndGet(1);
        assertEquals(OptionalLong.empty(), cache.get("k"));
        assertEquals(0, cache.size());
    }

    @Test
    void aPutRenewsTheEntry() {
        cache.put("k", 1);
        now.addAndGet(Duration.ofSeconds(50).toNanos());
        cache.put("k", 2);
        now.addAndGet(Duration.ofSeconds(50).toNanos());
        assertEquals(OptionalLong.of(2), cache.get("k"));
    }

    @Test
    void expiredEntriesAreDroppedOnPut() {
        for (int i = 0; i < 10; i++) {
            cache.put("old" + i, i);
        }
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        cache.put("new", 1);
        assertEquals(1, cache.size());
    }

    @Test
    void atMostAThousandEntriesTheOldestGoFirst() {
        for (int i = 0; i < 1500; i++) {
            cache.put("k" + i, i);
            now.incrementAndGet();
        }
        assertEquals(1000, cache.size());
        assertEquals(OptionalLong.empty(), cache.get("k499"));
        assertEquals(OptionalLong.of(500), cache.get("k500"));
        assertEquals(OptionalLong.of(1499), cache.get("k1499"));
    }

    @Test
    void concurrentUseKeepsTheBound() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int base = t * 1000;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 1000; i++) {
                    cache.put("k" + (base + i), i);
                    cache.get("k" + (base + i / 2));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1000, cache.size());
    }
}
