package proxy.sse;

import com.sun.net.httpserver.HttpExchange;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Server-Sent Events response: headers on {@link #open}, then frames. {@link #event} only
 * buffers (the JDK's chunked body holds up to 4 KB); {@link #flush} sends what is buffered, so
 * frames that come together leave in one write. Comments (keep-alives) are sent at once. An
 * {@link IOException} from any write means the client is gone. Knows nothing of the API whose
 * events it carries. Writes take a lock, so a heartbeat may write from another thread.
 */
public final class SseWriter implements Closeable {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final HttpExchange exchange;
    private final ReentrantLock lock = new ReentrantLock();
    private OutputStream out;

    public SseWriter(HttpExchange exchange) {
        this.exchange = exchange;
    }

    /** Sends the 200 and the stream headers, and flushes them at once (the JDK server would wait for the first body bytes). */
    public void open() throws IOException {
        lock.lock();
        try {
            var h = exchange.getResponseHeaders();
            h.set("Content-Type", "text/event-stream; charset=utf-8");
            h.set("Cache-Control", "no-cache");
            h.set("X-Accel-Buffering", "no"); // no proxy in between may buffer the stream
            exchange.sendResponseHeaders(200, 0); // 0 = chunked: the length is not known
            out = exchange.getResponseBody();
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    public boolean isOpen() {
        return out != null;
    }

    /** {@code event: name} (omitted when null) and {@code data: json}, then a blank line. */
    public void event(String name, byte[] json) throws IOException {
        lock.lock();
        try {
            if (name != null) {
                out.write(EVENT);
                out.write(name.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
            // JSON from a generator has no raw newlines (they are escaped), so one data line suffices
            out.write(DATA);
            out.write(json);
            out.write('\n');
            out.write('\n');
        } finally {
            lock.unlock();
        }
    }

    /** Sends the frames written so far (nothing before {@link #open}). */
    public void flush() throws IOException {
        lock.lock();
        try {
            if (out != null) {
                out.flush();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A comment line ({@code : text}), which clients ignore: a keep-alive. */
    public void comment(String text) throws IOException {
        lock.lock();
        try {
            out.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (out != null) {
                out.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
