package proxy.responses;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import proxy.chat.Turn;

/**
 * Responses kept for {@code previous_response_id} and {@code GET /v1/responses/{id}}, when the
 * client asked to {@code store} them (the API's default). Bounded by count (the oldest goes
 * first) and by age; both are options. Nothing else holds a response: a CLI process that can
 * continue the conversation is found by its history, stored or re-sent alike.
 */
final class ResponseStore {

    /**
     * One stored response.
     *
     * @param turns the conversation as it stands after the response: the turns it was asked
     *              (a previous response's included) and its answer
     * @param json  the response object, as {@code GET} returns it
     */
    record Stored(List<Turn> turns, byte[] json, long storedAt) {
        Stored {
            turns = List.copyOf(turns);
        }
    }

    private final int max;
    private final Duration maxAge;
    private final LinkedHashMap<String, Stored> byId = new LinkedHashMap<>();

    ResponseStore(int max, Duration maxAge) {
        this.max = max;
        this.maxAge = maxAge;
    }

    synchronized void put(String id, List<Turn> turns, byte[] json) {
        if (max == 0) {
            return;
        }
        byId.put(id, new Stored(turns, json, System.nanoTime()));
        for (Iterator<Stored> it = byId.values().iterator(); byId.size() > max; ) {
            it.next();
            it.remove();
        }
    }

    /** The response stored under {@code id}, if it is there and not too old. */
    synchronized Optional<Stored> get(String id) {
        expire(System.nanoTime());
        return Optional.ofNullable(byId.get(id));
    }

    synchronized boolean delete(String id) {
        expire(System.nanoTime());
        return byId.remove(id) != null;
    }

    synchronized int size() {
        return byId.size();
    }

    /** Drops what is older than the age limit: insertion order is age order. */
    private void expire(long now) {
        for (Iterator<Map.Entry<String, Stored>> it = byId.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().storedAt() <= maxAge.toNanos()) {
                return;
            }
            it.remove();
        }
    }
}
