package proxy.config;

/** Process exit codes of {@code claude-proxy}. Only {@code Main.main} turns one into {@code System.exit}. */
public enum ExitCode {
    /** Normal end, e.g. after {@code --help}. */
    OK(0),
    /** An unexpected failure (a bug): the stack trace is on stderr. */
    INTERNAL_ERROR(1),
    /** Bad command line or environment value: a one-line message is on stderr. */
    USAGE(2),
    /** Configuration was valid but the server could not start (port in use, unusable --cwd). */
    CANNOT_START(3);

    private final int value;

    ExitCode(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
