package proxy.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import proxy.config.Config;
import proxy.json.Json;

/** The proxy's own System.Logger back end: levels, the text and JSON lines, and that the JDK uses it. */
public class LogSinkTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final LogSink sink = new LogSink(() -> out,
            Clock.fixed(Instant.parse("2026-12-04T17:00:00.120Z"), ZoneOffset.UTC));

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private System.Logger logger(String name) {
        return new ProxyLogger(name, sink);
    }

    @Test
    void infoTextUntilConfigured() {
        logger("proxy.Server").log(Level.DEBUG, "hidden");
        logger("proxy.Server").log(Level.INFO, "listening on {0} with {1}", "http://x", "y");
        assertEquals("2026-12-04 17:00:00 INFO proxy.Server: listening on http://x with y\n", written());
    }

    @Test
    void theLevelIsForTheProxysOwnLoggersOthersKeepInfoOrStricter() {
        System.Logger own = logger("proxy.cli.CliProcess");
        System.Logger jdk = logger("com.sun.net.httpserver");
        sink.configure(new Config.Logging(Level.DEBUG, Config.LogFormat.TEXT, false));
        assertTrue(own.isLoggable(Level.DEBUG));
        assertFalse(own.isLoggable(Level.TRACE));
        assertFalse(jdk.isLoggable(Level.DEBUG), "the JDK's debug records are about its insides");
        assertTrue(jdk.isLoggable(Level.INFO));
        own.log(Level.TRACE, "no");
        own.log(Level.DEBUG, "yes");
        jdk.log(Level.DEBUG, "no");

        sink.configure(new Config.Logging(Level.ERROR, Config.LogFormat.TEXT, false));
        own.log(Level.WARNING, "no");
        jdk.log(Level.WARNING, "no");
        jdk.log(Level.ERROR, "also yes");
        assertFalse(own.isLoggable(Level.OFF));
        assertEquals("""
                2026-12-04 17:00:00 DEBUG proxy.cli.CliProcess: yes
                2026-12-04 17:00:00 ERROR com.sun.net.httpserver: also yes
                """, written());
    }

    @Test
    void textPutsTheStackTraceOnTheFollowingLines() {
        logger("proxy.Main").log(Level.ERROR, "cannot start", new IllegalStateException("boom"));
        List<String> lines = written().lines().toList();
        assertEquals("2026-12-04 17:00:00 ERROR proxy.Main: cannot start", lines.get(0));
        assertEquals("java.lang.IllegalStateException: boom", lines.get(1));
        assertTrue(lines.get(2).strip().startsWith("at proxy.log.LogSinkTest."), lines.get(2));
    }

    @Test
    void jsonIsOneObjectPerLineWithTheFields() throws IOException {
        sink.configure(new Config.Logging(Level.INFO, Config.LogFormat.JSON, false));
        logger("proxy.Server").log(Level.INFO, "two\nlines, \"quoted\" and {0}", "ünïcode");
        logger("proxy.Route").log(Level.ERROR, "unexpected", new IllegalStateException("boom"));
        List<String> lines = written().lines().toList();
        assertEquals(2, lines.size(), written());

        Map<String, String> first = fields(lines.get(0));
        assertEquals(Map.of("time", "2026-12-04T17:00:00.120Z", "level", "INFO", "logger", "proxy.Server",
                "message", "two\nlines, \"quoted\" and ünïcode"), first);
        assertEquals(List.of("time", "level", "logger", "message"), List.copyOf(first.keySet()));

        Map<String, String> second = fields(lines.get(1));
        assertEquals("ERROR", second.get("level"));
        assertEquals("unexpected", second.get("message"));
        assertTrue(second.get("error").startsWith("java.lang.IllegalStateException: boom\n\tat proxy.log.LogSinkTest."),
                second.get("error"));
    }

    @Test
    void theMillisecondsAreAlwaysThreeDigits() throws IOException {
        LogSink whole = new LogSink(() -> out, Clock.fixed(Instant.parse("2026-12-04T17:00:00Z"), ZoneOffset.UTC));
        whole.configure(new Config.Logging(Level.INFO, Config.LogFormat.JSON, false));
        new ProxyLogger("proxy.X", whole).log(Level.WARNING, "w");
        assertEquals("2026-12-04T17:00:00.000Z", fields(written().strip()).get("time"));
    }

    /** Removing the services file or the {@code provides} line would leave the JDK's default logging in place. */
    @Test
    void theJdkUsesThisFinder() {
        assertInstanceOf(ProxyLoggerFinder.class, System.LoggerFinder.getLoggerFinder());
        assertInstanceOf(ProxyLogger.class, System.getLogger("proxy.Test"));
    }

    /** A flat JSON object of strings, in field order; fails on anything else. */
    public static Map<String, String> fields(String line) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser p = Json.FACTORY.createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken(), line);
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                fields.put(name, p.nextTextValue());
            }
            assertEquals(JsonToken.END_OBJECT, p.currentToken(), line);
            assertEquals(null, p.nextToken(), "one object per line: " + line);
        }
        return fields;
    }
}
