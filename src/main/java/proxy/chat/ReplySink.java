package proxy.chat;

import java.io.IOException;

/**
 * Receives a reply's events on the thread that runs it. An {@link IOException} means the client
 * is gone: the run stops and its CLI is killed.
 */
public interface ReplySink {

    /**
     * Takes one event. Returns false when the sink needs nothing more (a stop sequence matched,
     * the token limit was reached): the run stops its CLI and returns without a {@code Finished}.
     */
    boolean accept(ReplyEvent event) throws IOException;

    /**
     * Called when the CLI has been quiet for a while, so a stream can send a keep-alive. Returns
     * false when the sink needs nothing more (another choice of the request failed): the run
     * stops its CLI.
     */
    default boolean quiet() throws IOException {
        return true;
    }
}
