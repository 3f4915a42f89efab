package proxy.log;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import proxy.config.Config;

/**
 * Where every logger of the process writes: one record at a time, whole, to stderr. Holds the
 * level and format, which {@link #configure} may change once the configuration is known; loggers
 * read them at each record, so one created earlier follows the change. Until then: INFO, text.
 */
final class LogSink {

    private static final String OWN_PREFIX = "proxy.";

    private final Supplier<PrintStream> out;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: Java 21 pins virtual threads
    private volatile Level ownLevel = Config.DEFAULT_LOGGING.level();
    private volatile Level otherLevel = Config.DEFAULT_LOGGING.level();
    private volatile Config.LogFormat format = Config.DEFAULT_LOGGING.format();

    /** @param out read at each record, so that a replaced {@code System.err} is followed */
    LogSink(Supplier<PrintStream> out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /**
     * The proxy's own loggers get {@code logging.level()}; the JDK's and libraries' keep INFO,
     * or the stricter level if that is stricter: their DEBUG and TRACE are about their insides.
     */
    void configure(Config.Logging logging) {
        ownLevel = logging.level();
        otherLevel = logging.level().getSeverity() > Level.INFO.getSeverity() ? logging.level() : Level.INFO;
        format = logging.format();
    }

    boolean isLoggable(String logger, Level level) {
        if (level == Level.OFF) {
            return false;
        }
        Level threshold = logger.startsWith(OWN_PREFIX) ? ownLevel : otherLevel;
        return level.getSeverity() >= threshold.getSeverity();
    }

    /** {@code message}: a String, or {@link LogFields}. */
    void write(String logger, Level level, Object message, Throwable thrown) {
        byte[] line = switch (format) {
            case TEXT -> LogLine.utf8(LogLine.text(clock.instant(), clock.getZone(), level, logger, message.toString(), thrown));
            case JSON -> LogLine.json(clock.instant(), level, logger, message, thrown);
        };
        PrintStream stream = out.get();
        lock.lock();
        try {
            stream.write(line, 0, line.length);
            stream.flush();
        } finally {
            lock.unlock();
        }
    }
}
