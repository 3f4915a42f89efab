package proxy.log;

import java.time.Clock;
import proxy.config.Config;

/**
 * The process's {@code System.LoggerFinder}: every {@code System.getLogger} logger, the proxy's
 * and the JDK's, writes one record at a time to stderr through one {@link LogSink}, as text or
 * JSON lines. The same on both back ends the proxy runs on: the class path (found through
 * {@code META-INF/services}, in place of java.util.logging) and the jlink image (through
 * {@code provides} in {@code module-info}; the image has no java.logging).
 *
 * <p>The JDK creates the one instance when the first logger is asked for, before the
 * configuration is parsed; {@link #configure} then sets the level and format.
 * Nothing here may call {@code System.getLogger}: it would recurse into the finder's loading.
 */
public final class ProxyLoggerFinder extends System.LoggerFinder {

    private final LogSink sink = new LogSink(() -> System.err, Clock.systemDefaultZone());

    /** For {@link java.util.ServiceLoader}. */
    public ProxyLoggerFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new ProxyLogger(name, sink);
    }

    /**
     * Applies {@code logging} to the process's loggers, those made so far included. Returns false
     * when the JDK did not install this finder (a {@code -Djava.system.class.loader} or another
     * provider on the class path), and the JDK's default logging is in use.
     */
    public static boolean configure(Config.Logging logging) {
        if (System.LoggerFinder.getLoggerFinder() instanceof ProxyLoggerFinder finder) {
            finder.sink.configure(logging);
            return true;
        }
        return false;
    }
}
