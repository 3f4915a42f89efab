package proxy.anthropic;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplySink;
import proxy.chat.Usage;
import proxy.json.Json;
import proxy.json.Node;

/**
 * A reply gathered into one {@code message} object (api-contract.md §1.4), for requests
 * without {@code "stream": true}. Blocks the CLI abandoned (a broken upstream stream it then
 * retried) are left out, so the body holds only the answer that stands.
 */
final class MessageBody implements ReplySink {

    /** One content block being gathered: its kind and its text (or thinking, or tool input JSON). */
    private static final class Gathered {
        final Block kind;
        final StringBuilder text = new StringBuilder();
        final StringBuilder signature = new StringBuilder();

        Gathered(Block kind) {
            this.kind = kind;
        }
    }

    private final Map<Integer, Gathered> blocks = new TreeMap<>();
    private String model = "";
    private Usage startUsage = Usage.ZERO;
    private ReplyEvent.Finished finished;
    private ReplyEvent.Failed failure;

    @Override
    public boolean accept(ReplyEvent event) {
        switch (event) {
            case ReplyEvent.Started s -> {
                model = s.model();
                startUsage = s.usage();
            }
            case ReplyEvent.BlockStarted b -> blocks.put(b.index(), new Gathered(b.block()));
            case ReplyEvent.TextDelta d -> append(d.index(), d.text());
            case ReplyEvent.ThinkingDelta d -> append(d.index(), d.thinking());
            case ReplyEvent.ToolInputDelta d -> append(d.index(), d.partialJson());
            case ReplyEvent.SignatureDelta d -> {
                Gathered g = blocks.get(d.index());
                if (g != null) {
                    g.signature.append(d.signature());
                }
            }
            case ReplyEvent.BlockStopped b -> { }
            case ReplyEvent.BlocksAbandoned a -> blocks.keySet().removeIf(i -> i >= a.fromIndex());
            case ReplyEvent.Finished f -> {
                finished = f;
                return false;
            }
            case ReplyEvent.Failed f -> {
                failure = f;
                return false;
            }
        }
        return true;
    }

    private void append(int index, String text) {
        Gathered g = blocks.get(index);
        if (g != null) {
            g.text.append(text);
        }
    }

    Optional<ReplyEvent.Failed> failure() {
        return Optional.ofNullable(failure);
    }

    /** The message; call when the reply finished. */
    byte[] json(String id, String requestedModel) {
        Usage usage = finished == null ? startUsage : finished.usage();
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model.isEmpty() ? requestedModel : model);
            g.writeArrayFieldStart("content");
            for (Gathered b : blocks.values()) {
                g.writeStartObject();
                MessageJson.blockHead(g, b.kind);
                switch (b.kind) {
                    case Block.Text t -> g.writeStringField("text", b.text.toString());
                    case Block.Thinking t -> {
                        g.writeStringField("thinking", b.text.toString());
                        g.writeStringField("signature", b.signature.toString());
                    }
                    case Block.ToolCall c -> {
                        g.writeFieldName("input");
                        toolInput(b.text.toString()).write(g);
                    }
                    case Block.CliToolCall c -> {
                        g.writeFieldName("input");
                        toolInput(b.text.toString()).write(g);
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", finished == null ? "end_turn" : finished.reason().wireName());
            Json.stringOrNull(g, "stop_sequence", finished == null ? null : finished.stopSequence().orElse(null));
            MessageJson.usage(g, usage);
            g.writeEndObject();
        });
    }

    /** The gathered arguments as an object; a call cut short (max_tokens) leaves unparsable JSON: then {}. */
    private static Node toolInput(String json) {
        try {
            Node n = Node.parse(json.isBlank() ? "{}" : json);
            return n.isObject() ? n : Node.parse("{}");
        } catch (IOException e) {
            try {
                return Node.parse("{}");
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }
}
