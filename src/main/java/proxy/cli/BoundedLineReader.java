package proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated UTF-8 lines, none longer than a limit: the okio
 * {@code readUtf8LineStrict(limit)} idea. A line over the limit is an error, found after
 * holding at most {@code limit} bytes, never an out-of-memory. Not thread-safe: one reader
 * thread owns it.
 */
public final class BoundedLineReader {

    /** A line was longer than the limit. */
    public static final class LineTooLongException extends IOException {
        public LineTooLongException(int limit) {
            super("a CLI output line is longer than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int limit;
    private final byte[] chunk = new byte[8192];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[256];
    private int lineLength;

    public BoundedLineReader(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /**
     * The next line without its {@code \n} (a trailing {@code \r} is kept: the CLI never writes
     * one), or null at the end of the stream. Bytes after the last {@code \n} count as a line.
     */
    public String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (chunkPos == chunkEnd) {
                int n = in.read(chunk);
                if (n < 0) {
                    return lineLength == 0 ? null : take();
                }
                chunkPos = 0;
                chunkEnd = n;
            }
            int start = chunkPos;
            int nl = indexOfNewline(start, chunkEnd);
            int end = nl < 0 ? chunkEnd : nl;
            append(start, end);
            chunkPos = nl < 0 ? chunkEnd : nl + 1;
            if (nl >= 0) {
                return take();
            }
        }
    }

    private int indexOfNewline(int from, int to) {
        for (int i = from; i < to; i++) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(int from, int to) throws LineTooLongException {
        int n = to - from;
        if (lineLength + n > limit) {
            throw new LineTooLongException(limit);
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.min(limit, Math.max(line.length * 2, lineLength + n)));
        }
        System.arraycopy(chunk, from, line, lineLength, n);
        lineLength += n;
    }

    private String take() {
        String s = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (line.length > 64 * 1024) {
            line = new byte[256]; // don't keep a huge buffer alive after one big line
        }
        return s;
    }
}
