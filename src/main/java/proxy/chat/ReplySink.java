package proxy.chat;

import java.io.IOException;

/**
 * Receives a reply's events on the thread that runs it. An {@link IOException} means the client
 * is gone.
 *
 * <p>A sink says when the reply is over for it; it never decides what happens to the CLI that
 * produced it. The engine does: a CLI whose turn ran to its end may be kept for the next turn,
 * one whose reply was cut short (a stop sequence, max_tokens, a client gone, a timeout) is
 * killed.
 */
public interface ReplySink {

    /**
     * Takes one event. Returns false when the sink needs nothing more: after {@code Finished}
     * or {@code Failed}, or because it ended the reply itself (a stop sequence matched, the
     * token limit was reached).
     */
    boolean accept(ReplyEvent event) throws IOException;

    /**
     * Called while nothing happens for a while (the CLI is quiet, or the request waits for a
     * free CLI), so a stream can send a keep-alive. Returns false when the sink needs nothing
     * more (another choice of the request failed).
     */
    default boolean quiet() throws IOException {
        return true;
    }

    /**
     * Sends on what {@link #accept} has taken. The engine calls it when no more output is
     * waiting, so events that arrive together go out in one write, and a lone one at once.
     */
    default void flush() throws IOException {}
}
