package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {

    /** okio's ONE_BYTE_AT_A_TIME: every read returns a single byte, splitting UTF-8 sequences too. */
    static InputStream oneByteAtATime(byte[] bytes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    private static List<String> readAll(InputStream in, int limit) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(in, limit);
        List<String> lines = new ArrayList<>();
        for (String line; (line = reader.readLine()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    private static final String TEXT = "{\"a\":1}\n\nüñí €😀 mixed\n{\"last\":true}";

    @Test
    void splitsLinesAndKeepsAnUnterminatedLastLine() throws IOException {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("{\"a\":1}", "", "üñí €😀 mixed", "{\"last\":true}");
        assertEquals(expected, readAll(new ByteArrayInputStream(bytes), 100));
        assertEquals(expected, readAll(oneByteAtATime(bytes), 100));
    }

    @Test
    void lineAtTheLimitPassesAndOneByteMoreFails() throws IOException {
        assertEquals(List.of("x".repeat(10)), readAll(new ByteArrayInputStream("xxxxxxxxxx\n".getBytes()), 10));
        BoundedLineReader reader = new BoundedLineReader(oneByteAtATime("ok\nxxxxxxxxxxx\n".getBytes()), 10);
        assertEquals("ok", reader.readLine());
        assertThrows(BoundedLineReader.LineTooLongException.class, reader::readLine);
    }

    @Test
    void overLongLineFailsWithoutReadingItAll() {
        // an endless line: the reader must give up at the limit, not buffer until memory runs out
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        assertThrows(BoundedLineReader.LineTooLongException.class,
                () -> new BoundedLineReader(endless, 1 << 20).readLine());
    }

    @Test
    void emptyStreamIsEnd() throws IOException {
        assertNull(new BoundedLineReader(new ByteArrayInputStream(new byte[0]), 10).readLine());
    }
}
