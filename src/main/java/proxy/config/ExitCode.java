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
    CANNOT_START(3),
    /**
     * The Claude CLI is missing, not executable, or does not answer {@code claude --version}:
     * the proxy would fail every request, so it does not start.
     */
    CLI_MISSING(4),
    /** The Claude CLI is older than the oldest version that takes every flag the proxy passes. */
    CLI_TOO_OLD(5);

    private final int value;

    ExitCode(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
