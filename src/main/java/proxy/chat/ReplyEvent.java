package proxy.chat;

import java.time.Duration;
import java.util.Optional;

/**
 * What a running reply produces, in order. A reply is: {@link Started}, then content blocks
 * (each {@link BlockStarted}, deltas, {@link BlockStopped}, with indexes 0, 1, 2... over the
 * whole reply), then exactly one {@link Finished} or {@link Failed}. {@link Failed} may also
 * come first, before anything was started. API layers translate these into their own wire
 * format and never see the CLI's JSON.
 */
public sealed interface ReplyEvent {

    /** The reply began: the model that answers and the input side of the usage. */
    record Started(String model, Usage usage) implements ReplyEvent {}

    record BlockStarted(int index, Block block) implements ReplyEvent {}

    record TextDelta(int index, String text) implements ReplyEvent {}

    record ThinkingDelta(int index, String thinking) implements ReplyEvent {}

    record SignatureDelta(int index, String signature) implements ReplyEvent {}

    /** A fragment of a tool call's arguments JSON. */
    record ToolInputDelta(int index, String partialJson) implements ReplyEvent {}

    record BlockStopped(int index) implements ReplyEvent {}

    /**
     * The blocks from {@code fromIndex} up to here were streamed, then dropped by the CLI when
     * the upstream stream broke; a retried answer follows in new blocks. A whole-body response
     * leaves them out; a stream that already sent them cannot take them back.
     */
    record BlocksAbandoned(int fromIndex) implements ReplyEvent {}

    record Finished(StopReason reason, Optional<String> stopSequence, Usage usage) implements ReplyEvent {}

    /** The reply failed; {@code message} is safe to show the client. */
    record Failed(ErrorKind kind, String message, Optional<Duration> retryAfter) implements ReplyEvent {
        public Failed(ErrorKind kind, String message) {
            this(kind, message, Optional.empty());
        }
    }

    /** The kind of a content block, with what its start carries. */
    sealed interface Block {
        record Text() implements Block {}

        record Thinking() implements Block {}

        /**
         * A call of one of the client's tools ({@link Conversation#tools}), under the client's
         * own name: the reply ends with {@code TOOL_USE} and the client answers it.
         */
        record ToolCall(String id, String name) implements Block {}

        /**
         * A call the CLI made to one of its own tools (agent mode) and answered itself: shown
         * where the API has room for it, never for the client to answer.
         */
        record CliToolCall(String id, String name) implements Block {}
    }
}
