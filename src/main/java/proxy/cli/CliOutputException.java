package proxy.cli;

import java.io.IOException;

/** The CLI printed something that is not its protocol: a line that is not JSON, or too long. */
public final class CliOutputException extends IOException {
    public CliOutputException(String message) {
        super(message);
    }
}
