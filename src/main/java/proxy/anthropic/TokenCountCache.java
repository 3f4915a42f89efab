package proxy.anthropic;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Token counts measured in the last {@link #TTL}, so that a client asking again for the same
 * body (SDKs and Claude Code do) is answered without another CLI run. The key is the body's
 * SHA-256 and the model; a count is never reused for a body that differs in any byte.
 *
 * <p>Invariants: at most {@code capacity} entries, oldest insertion first; an entry older than
 * the TTL is never returned (it is dropped when met, and from the head on every put). Safe for
 * concurrent use: every access holds the lock, and none of them blocks.
 */
final class TokenCountCache {

    static final Duration TTL = Duration.ofSeconds(60);
    static final int CAPACITY = 1000;

    private record Entry(long count, long storedAt) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier clock;

    TokenCountCache() {
        this(CAPACITY, TTL, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime} (tests pass their own) */
    TokenCountCache(int capacity, Duration ttl, LongSupplier clock) {
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.clock = clock;
    }

    /** The key of a request: its body's SHA-256 (hex) and the model it names. */
    static String key(byte[] body, String model) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return HexFormat.of().formatHex(digest) + " " + model;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    synchronized OptionalLong get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (expired(e, clock.getAsLong())) {
            entries.remove(key);
            return OptionalLong.empty();
        }
        return OptionalLong.of(e.count());
    }

    synchronized void put(String key, long count) {
        long now = clock.getAsLong();
        entries.remove(key); // re-inserted at the tail: insertion order is age order
        entries.put(key, new Entry(count, now));
        Iterator<Entry> oldest = entries.values().iterator();
        while (oldest.hasNext()) {
            Entry e = oldest.next();
            if (entries.size() <= capacity && !expired(e, now)) {
                break; // the rest are younger
            }
            oldest.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private boolean expired(Entry e, long now) {
        return now - e.storedAt() >= ttlNanos;
    }
}
