package proxy.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.Turn;

/**
 * Passes a reply on unchanged and keeps what the client was given of it (text and tool calls;
 * reasoning is not compared), so that a kept CLI can later be matched with the history a client
 * sends back. Blocks the CLI abandoned are forgotten, as the client's whole-body reply leaves
 * them out.
 */
final class ReplyRecorder implements ReplySink {

    private final ReplySink next;
    /** Our block index → what it holds so far: text, or a tool call being assembled. */
    private final TreeMap<Integer, Object> blocks = new TreeMap<>();

    ReplyRecorder(ReplySink next) {
        this.next = next;
    }

    /** The reply as an assistant turn. */
    Turn answer() {
        List<Part> parts = new ArrayList<>();
        for (Object block : blocks.values()) {
            switch (block) {
                case StringBuilder text -> parts.add(new Part.Text(text.toString()));
                case ToolCall call -> parts.add(new Part.ToolCall(call.id, call.name, call.input.toString()));
                default -> throw new IllegalStateException("unknown block " + block);
            }
        }
        return new Turn(Turn.Role.ASSISTANT, parts);
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        switch (event) {
            case ReplyEvent.BlockStarted b -> {
                switch (b.block()) {
                    case ReplyEvent.Block.Text t -> blocks.put(b.index(), new StringBuilder());
                    case ReplyEvent.Block.ToolCall c -> blocks.put(b.index(), new ToolCall(c.id(), c.name()));
                    case ReplyEvent.Block.Thinking t -> { }
                    case ReplyEvent.Block.CliToolCall c -> { } // the CLI's own business: clients do not answer it
                }
            }
            case ReplyEvent.TextDelta d -> {
                if (blocks.get(d.index()) instanceof StringBuilder text) {
                    text.append(d.text());
                }
            }
            case ReplyEvent.ToolInputDelta d -> {
                if (blocks.get(d.index()) instanceof ToolCall call) {
                    call.input.append(d.partialJson());
                }
            }
            case ReplyEvent.BlocksAbandoned a -> blocks.tailMap(a.fromIndex(), true).clear();
            case ReplyEvent.Started s -> { }
            case ReplyEvent.ThinkingDelta d -> { }
            case ReplyEvent.SignatureDelta d -> { }
            case ReplyEvent.BlockStopped b -> { }
            case ReplyEvent.Finished f -> { }
            case ReplyEvent.Failed f -> { }
        }
        return next.accept(event);
    }

    @Override
    public boolean quiet() throws IOException {
        return next.quiet();
    }

    @Override
    public void flush() throws IOException {
        next.flush();
    }

    private static final class ToolCall {
        final String id;
        final String name;
        final StringBuilder input = new StringBuilder();

        ToolCall(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }
}
