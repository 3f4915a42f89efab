package proxy.log;

import java.util.MissingResourceException;
import java.util.ResourceBundle;

/** A {@link System.Logger} that hands each record it accepts to the process's {@link LogSink}. */
final class ProxyLogger implements System.Logger {

    private final String name;
    private final LogSink sink;

    ProxyLogger(String name, LogSink sink) {
        this.name = name;
        this.sink = sink;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return sink.isLoggable(name, level);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            sink.write(name, level, localized(bundle, msg), thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (!isLoggable(level)) {
            return;
        }
        if (params != null && params.length == 1 && params[0] instanceof LogFields fields && "{0}".equals(format)) {
            sink.write(name, level, fields, null);
        } else {
            sink.write(name, level, LogLine.message(localized(bundle, format), params), null);
        }
    }

    /** The JDK's own modules may log a bundle key rather than the text. */
    private static String localized(ResourceBundle bundle, String key) {
        if (bundle == null || key == null) {
            return String.valueOf(key);
        }
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }
}
