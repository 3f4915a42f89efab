package proxy.responses;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplySink;
import proxy.chat.StopReason;
import proxy.chat.Turn;
import proxy.chat.Usage;

/**
 * A reply gathered into the {@code output} items of a {@code response} object, step by step:
 * the sink of a request without {@code stream}, and the state a {@link ResponseStream} shows
 * through its {@link Steps}. Both give the same items for the same events, so a stream's last
 * event and a body agree.
 *
 * <p>Blocks become items in order, numbered 0, 1, 2... by output index; an item's id is its
 * kind's prefix, the response id's own part and its output index ({@code msg_<r>_0}), so ids
 * are unique per response and the same in a stream and a body.
 * <ul>
 * <li>Text blocks: a {@code message} with one {@code output_text} part. Text blocks with no
 *     other item between them (the CLI's own tool calls and unshown reasoning show none) are
 *     one part, joined by a blank line as a chat completion's content joins them: the SDKs'
 *     {@code output_text} concatenates parts without a separator. A message stays open until
 *     another item starts or the reply ends.
 * <li>Thinking blocks: a {@code reasoning} item whose one {@code summary_text} is the thinking,
 *     only when the request asked for a summary; otherwise none (the API shows no text then,
 *     and an empty item would only come back as input for nothing).
 * <li>Calls of the client's tools: a {@code function_call} under the function's own name, with
 *     its {@code namespace} when it came inside one; arguments {@code {}} when none streamed.
 * <li>The CLI's own tool calls: nothing (the CLI answered them).
 * </ul>
 * An item still open when the reply ends is closed {@code incomplete} if the response is not
 * {@code completed}. A body leaves out blocks the CLI abandoned; a stream has shown them, so it
 * closes their open item {@code incomplete} and goes on. {@link #turn} leaves them out always.
 */
final class ResponseOutput implements ReplySink {

    /** A state of an item or of the whole response, by its wire name. */
    enum Status {
        IN_PROGRESS("in_progress"), COMPLETED("completed"), INCOMPLETE("incomplete"), FAILED("failed");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    /** An output item; {@code text} is a message's text, a reasoning summary, or a call's arguments. */
    abstract static sealed class Item permits Message, Reasoning, FunctionCall {
        final String id;
        final int outputIndex;
        final StringBuilder text = new StringBuilder();
        Status status = Status.IN_PROGRESS;
        /** The last block shown in this item. */
        int lastBlock;

        Item(String id, int outputIndex, int block) {
            this.id = id;
            this.outputIndex = outputIndex;
            this.lastBlock = block;
        }
    }

    static final class Message extends Item {
        /** A further text block joined this message: the next text it shows starts with a blank line. */
        boolean separate;

        Message(String id, int outputIndex, int block) {
            super(id, outputIndex, block);
        }
    }

    static final class Reasoning extends Item {
        Reasoning(String id, int outputIndex, int block) {
            super(id, outputIndex, block);
        }
    }

    static final class FunctionCall extends Item {
        final String callId;
        final String name;
        final Optional<String> namespace;

        FunctionCall(String id, int outputIndex, int block, String callId, String name, Optional<String> namespace) {
            super(id, outputIndex, block);
            this.callId = callId;
            this.name = name;
            this.namespace = namespace;
        }
    }

    /** What a stream shows of each change; a body needs none. Every added item is done before the reply ends. */
    interface Steps {
        Steps NONE = new Steps() {};

        /** {@code item} was added, empty and in progress. */
        default void added(Item item) throws IOException {}

        /** {@code delta} was appended to {@code item.text}. */
        default void delta(Item item, String delta) throws IOException {}

        /** {@code item} is whole; its status says how it ended. */
        default void done(Item item) throws IOException {}
    }

    /** Where the output stood when a block started, to go back to when the CLI abandons it. */
    private record Mark(int items, Message open, int textLength, boolean separate) {}

    /** A block as the store's turn keeps it: its kind, text and signature. */
    private record Kept(Block kind, StringBuilder text, StringBuilder signature) {}

    private final String idPart;
    private final Map<String, FunctionName> functions;
    private final boolean reasoningSummary;
    private final Steps steps;
    private final List<Item> items = new ArrayList<>();
    private final TreeMap<Integer, Item> byBlock = new TreeMap<>();
    private final TreeMap<Integer, Mark> marks = new TreeMap<>();
    private final TreeMap<Integer, Kept> kept = new TreeMap<>();
    private Item open;
    private Status status = Status.IN_PROGRESS;
    private StopReason stopReason;
    private Usage usage;
    private ReplyEvent.Failed failure;

    /** A body's output: abandoned blocks are left out. */
    ResponseOutput(String responseId, Map<String, FunctionName> functions, boolean reasoningSummary) {
        this(responseId, functions, reasoningSummary, Steps.NONE);
    }

    /** A stream's output: every change is shown through {@code steps}, and nothing is taken back. */
    ResponseOutput(String responseId, Map<String, FunctionName> functions, boolean reasoningSummary, Steps steps) {
        this.idPart = responseId.startsWith("resp_") ? responseId.substring(5) : responseId;
        this.functions = Map.copyOf(functions);
        this.reasoningSummary = reasoningSummary;
        this.steps = steps;
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        if (status != Status.IN_PROGRESS) {
            return false; // the reply is over for this output
        }
        switch (event) {
            case ReplyEvent.BlockStarted b -> start(b.index(), b.block());
            case ReplyEvent.TextDelta d -> text(d.index(), d.text());
            case ReplyEvent.ThinkingDelta d -> {
                keep(d.index(), d.thinking(), false);
                append(byBlock.get(d.index()), d.thinking());
            }
            case ReplyEvent.SignatureDelta d -> keep(d.index(), d.signature(), true);
            case ReplyEvent.ToolInputDelta d -> {
                keep(d.index(), d.partialJson(), false);
                append(byBlock.get(d.index()), d.partialJson());
            }
            case ReplyEvent.BlockStopped b -> stop(b.index());
            case ReplyEvent.BlocksAbandoned a -> abandon(a.fromIndex());
            case ReplyEvent.Finished f -> {
                status = switch (f.reason()) {
                    case MAX_TOKENS, REFUSAL -> Status.INCOMPLETE;
                    case END_TURN, STOP_SEQUENCE, TOOL_USE, PAUSE_TURN -> Status.COMPLETED;
                };
                usage = f.usage();
                stopReason = f.reason();
                close(status);
                return false;
            }
            case ReplyEvent.Failed f -> {
                failure = f;
                status = Status.FAILED;
                close(Status.INCOMPLETE);
                return false;
            }
            case ReplyEvent.Started s -> { }
        }
        return true;
    }

    private void start(int block, Block kind) throws IOException {
        if (!(open instanceof Message)) {
            close(Status.INCOMPLETE); // a block that never stopped: it is over now
        }
        Message message = open instanceof Message m ? m : null;
        marks.put(block, new Mark(items.size(), message, message == null ? 0 : message.text.length(),
                message != null && message.separate));
        if (!(kind instanceof Block.CliToolCall)) {
            kept.put(block, new Kept(kind, new StringBuilder(), new StringBuilder()));
        }
        switch (kind) {
            case Block.Text t -> {
                if (message != null) {
                    message.separate |= !message.text.isEmpty();
                    message.lastBlock = block;
                    byBlock.put(block, message);
                } else {
                    add(block, new Message(itemId("msg"), items.size(), block));
                }
            }
            case Block.Thinking t -> {
                if (reasoningSummary) {
                    close(Status.COMPLETED);
                    add(block, new Reasoning(itemId("rs"), items.size(), block));
                }
            }
            case Block.ToolCall call -> {
                close(Status.COMPLETED);
                FunctionName name = functions.getOrDefault(call.name(), new FunctionName(Optional.empty(), call.name()));
                add(block, new FunctionCall(itemId("fc"), items.size(), block, call.id(), name.name(), name.namespace()));
            }
            case Block.CliToolCall call -> { } // answered by the CLI: no item, and text around it stays one
        }
    }

    private void add(int block, Item item) throws IOException {
        items.add(item);
        byBlock.put(block, item);
        open = item;
        steps.added(item);
    }

    private void text(int block, String text) throws IOException {
        keep(block, text, false);
        if (byBlock.get(block) instanceof Message m && !text.isEmpty()) {
            if (m.separate && !m.text.isEmpty()) {
                text = "\n\n" + text; // a further text block of the same message
            }
            m.separate = false;
            append(m, text);
        }
    }

    private void append(Item item, String delta) throws IOException {
        if (item != null && item == open && !delta.isEmpty()) {
            item.text.append(delta);
            steps.delta(item, delta);
        }
    }

    private void stop(int block) throws IOException {
        Item item = byBlock.get(block);
        if (item == null || item != open || item instanceof Message) {
            return; // a message stays open for text blocks that may follow
        }
        if (item instanceof FunctionCall && item.text.toString().isBlank()) {
            append(item, "{}"); // none streamed: clients parse the arguments, and "" is not JSON
        }
        close(Status.COMPLETED);
    }

    private void close(Status how) throws IOException {
        if (open != null) {
            Item item = open;
            open = null;
            item.status = how;
            steps.done(item);
        }
    }

    /** The CLI dropped the blocks from {@code from} on and retries in new blocks. */
    private void abandon(int from) throws IOException {
        kept.tailMap(from, true).clear();
        if (steps != Steps.NONE) {
            // shown already: close what is open of them, and let the retried answer start anew
            if (open != null && open.lastBlock >= from) {
                close(Status.INCOMPLETE);
            }
            return;
        }
        Mark mark = marks.get(from);
        if (mark == null) {
            return;
        }
        items.subList(mark.items(), items.size()).clear();
        byBlock.tailMap(from, true).clear();
        marks.tailMap(from, true).clear();
        open = mark.open();
        if (open instanceof Message m) {
            m.text.setLength(mark.textLength());
            m.separate = mark.separate();
            m.status = Status.IN_PROGRESS;
        }
    }

    private void keep(int block, String text, boolean signature) {
        Kept k = kept.get(block);
        if (k != null) {
            (signature ? k.signature() : k.text()).append(text);
        }
    }

    private String itemId(String prefix) {
        return prefix + "_" + idPart + "_" + items.size();
    }

    /** The items so far, in output order. */
    List<Item> items() {
        return List.copyOf(items);
    }

    /** {@code in_progress} until the reply ends; then {@code completed}, {@code incomplete} or {@code failed}. */
    Status status() {
        return status;
    }

    /** Why an {@code incomplete} response stopped: {@code max_output_tokens}, or {@code content_filter} for a refusal. */
    Optional<String> incompleteReason() {
        if (status != Status.INCOMPLETE) {
            return Optional.empty();
        }
        return Optional.of(stopReason == StopReason.REFUSAL ? "content_filter" : "max_output_tokens");
    }

    /** The token counts of a finished reply; empty while in progress and after a failure. */
    Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** The failure that ended the reply, if one did; a body's handler answers it with an HTTP status. */
    Optional<ReplyEvent.Failed> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * The reply as the assistant turn a later request's {@code previous_response_id} continues:
     * text (consecutive text blocks joined by a blank line, as in the output), signed thinking
     * (the CLI wants it back before a tool call), and calls of the client's tools under their
     * flat client names with their call ids. Abandoned blocks and the CLI's own tool calls are
     * left out, so the turn is the answer that stands even when a stream showed more.
     */
    Turn turn() {
        List<Part> parts = new ArrayList<>();
        for (Kept k : kept.values()) {
            String text = k.text().toString();
            switch (k.kind()) {
                case Block.Text t -> {
                    int last = parts.size() - 1;
                    if (text.isEmpty()) {
                        continue;
                    }
                    if (last >= 0 && parts.get(last) instanceof Part.Text before) {
                        parts.set(last, new Part.Text(before.text() + "\n\n" + text));
                    } else {
                        parts.add(new Part.Text(text));
                    }
                }
                case Block.Thinking t -> {
                    if (!k.signature().isEmpty()) {
                        parts.add(new Part.Thinking(text, k.signature().toString()));
                    }
                }
                case Block.ToolCall call -> parts.add(new Part.ToolCall(call.id(), call.name(), text.isBlank() ? "{}" : text));
                case Block.CliToolCall call -> { }
            }
        }
        return new Turn(Turn.Role.ASSISTANT, parts);
    }
}
