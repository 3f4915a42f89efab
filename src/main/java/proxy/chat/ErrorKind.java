package proxy.chat;

/**
 * What went wrong, independent of the API that reports it. Each kind has the HTTP status both
 * APIs use for it; each API package names it in its own envelope. {@code retryable} is what a
 * client may expect from trying again: it becomes {@code x-should-retry} so that SDKs do not
 * rerun a CLI three times for a failure that cannot change.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, false),
    /**
     * The Claude subscription refused the request as a third-party app's (a 400 from upstream).
     * A 400 like any invalid request, so every SDK raises its usual bad-request error; named so
     * that a client or a person can tell it from a malformed request, and not retried: the same
     * prompt is refused again.
     */
    THIRD_PARTY_REFUSED(400, false),
    AUTHENTICATION(401, false),
    PERMISSION(403, false),
    NOT_FOUND(404, false),
    METHOD_NOT_ALLOWED(405, false),
    REQUEST_TOO_LARGE(413, false),
    RATE_LIMITED(429, true),
    INTERNAL(500, true),
    /** The CLI failed or printed something we cannot read. */
    BAD_GATEWAY(502, true),
    /** The CLI is missing or cannot start. */
    UNAVAILABLE(503, true),
    TIMEOUT(504, true),
    OVERLOADED(529, true);

    private final int status;
    private final boolean retryable;

    ErrorKind(int status, boolean retryable) {
        this.status = status;
        this.retryable = retryable;
    }

    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
