package proxy.cli;

import proxy.chat.ErrorKind;

/**
 * The one table from CLI outcomes to error kinds (and so HTTP statuses). API errors keep the
 * upstream status, so a client's SDK sees the same class of error it would see from the API
 * itself; failures of the CLI process are 502, a missing CLI 503, a timeout 504.
 */
final class CliErrors {

    private CliErrors() {}

    /** The kind for an upstream API status the CLI reported in {@code api_error_status}. */
    static ErrorKind forApiStatus(long status) {
        return switch ((int) status) {
            case 400 -> ErrorKind.INVALID_REQUEST;
            case 401 -> ErrorKind.AUTHENTICATION;
            case 403 -> ErrorKind.PERMISSION;
            case 404 -> ErrorKind.NOT_FOUND;
            case 413 -> ErrorKind.REQUEST_TOO_LARGE;
            case 429 -> ErrorKind.RATE_LIMITED;
            case 500 -> ErrorKind.INTERNAL;
            case 503, 529 -> ErrorKind.OVERLOADED;
            default -> status >= 400 && status < 500 ? ErrorKind.INVALID_REQUEST : ErrorKind.BAD_GATEWAY;
        };
    }
}
