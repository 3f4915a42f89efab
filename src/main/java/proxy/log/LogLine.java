package proxy.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import proxy.json.Json;

/** How one log record is written: a text line (plus its stack trace), or one JSON line. */
final class LogLine {

    /** Always three fraction digits, which {@link Instant#toString()} drops when they are zero. */
    private static final DateTimeFormatter JSON_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** The one-line format the proxy used before it had its own logger. */
    private static final DateTimeFormatter TEXT_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private LogLine() {}

    /** {@code 2026-12-04 17:00:00 INFO proxy.Server: message}, local time, then the stack trace if any. */
    static String text(Instant time, ZoneId zone, Level level, String logger, String message, Throwable thrown) {
        String line = TEXT_TIME.format(time.atZone(zone)) + " " + level.getName() + " " + logger + ": " + message + "\n";
        return thrown == null ? line : line + stackTrace(thrown);
    }

    /**
     * {@code {"time":"2026-12-04T17:00:00.123Z","level":"INFO","logger":"proxy.Server","message":"...","error":"..."}}
     * and a newline, as UTF-8; {@code error} (the stack trace) only with a throwable; {@link LogFields}
     * in place of the message. The generator
     * escapes line breaks, so a record is always exactly one line.
     */
    static byte[] json(Instant time, Level level, String logger, Object message, Throwable thrown) {
        byte[] object = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("time", JSON_TIME.format(time));
            g.writeStringField("level", level.getName());
            g.writeStringField("logger", logger);
            if (message instanceof LogFields fields) {
                fields.write(g);
            } else {
                g.writeStringField("message", String.valueOf(message));
            }
            if (thrown != null) {
                g.writeStringField("error", stackTrace(thrown));
            }
            g.writeEndObject();
        });
        byte[] line = Arrays.copyOf(object, object.length + 1);
        line[object.length] = '\n';
        return line;
    }

    /** The message with its {@code {0}} parameters filled in, as the JDK's own loggers do. */
    static String message(String format, Object... params) {
        String text = String.valueOf(format);
        if (params == null || params.length == 0) {
            return text;
        }
        try {
            return MessageFormat.format(text, params);
        } catch (IllegalArgumentException e) {
            return text + " " + Arrays.toString(params); // a bad pattern must not lose the record
        }
    }

    static String stackTrace(Throwable thrown) {
        StringWriter trace = new StringWriter();
        // into a string that goes to the log, the only place a trace may go
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
