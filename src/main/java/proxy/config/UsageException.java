package proxy.config;

/** A bad flag or environment value. The message is one line, meant for the person at the terminal. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
