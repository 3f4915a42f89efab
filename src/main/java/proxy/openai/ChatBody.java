package proxy.openai;

import java.util.Optional;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Json;

/**
 * The replies of one request's choices gathered into one {@code chat.completion} object
 * (api-contract.md §2.5). Choices run on their own threads; each gathers into its own slot,
 * and the first failure stops them all.
 */
final class ChatBody {

    /** One choice being gathered. */
    private static final class Choice {
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        boolean hadText;
        /** Where each block began, to cut back to when the CLI abandons blocks. */
        final java.util.Map<Integer, int[]> blockStarts = new java.util.HashMap<>();
        StopReason finish;
        Usage usage = Usage.ZERO;
    }

    private final Choice[] choices;
    private volatile ReplyEvent.Failed failure;

    ChatBody(int n) {
        choices = new Choice[n];
        for (int i = 0; i < n; i++) {
            choices[i] = new Choice();
        }
    }

    ReplySink choice(int index) {
        Choice c = choices[index];
        ReplySink gather = event -> {
            if (failure != null) {
                return false; // another choice failed: the request has
            }
            switch (event) {
                case ReplyEvent.BlockStarted b -> {
                    c.blockStarts.put(b.index(), new int[] {c.content.length(), c.reasoning.length(), c.hadText ? 1 : 0});
                    if (b.block() instanceof ReplyEvent.Block.Text) {
                        if (c.hadText) {
                            c.content.append("\n\n");
                        }
                        c.hadText = true;
                    }
                }
                case ReplyEvent.TextDelta d -> c.content.append(d.text());
                case ReplyEvent.ThinkingDelta d -> c.reasoning.append(d.thinking());
                case ReplyEvent.BlocksAbandoned a -> {
                    // the CLI retried after a broken stream: the blocks from there on are superseded
                    int[] start = c.blockStarts.get(a.fromIndex());
                    if (start != null) {
                        c.content.setLength(start[0]);
                        c.reasoning.setLength(start[1]);
                        c.hadText = start[2] == 1;
                    }
                }
                case ReplyEvent.Finished f -> {
                    c.finish = f.reason();
                    c.usage = f.usage();
                    return false;
                }
                case ReplyEvent.Failed f -> {
                    failure = f;
                    return false;
                }
                case ReplyEvent.Started s -> { }
                case ReplyEvent.BlockStopped b -> { }
                case ReplyEvent.SignatureDelta d -> { }
                case ReplyEvent.ToolInputDelta d -> { }
            }
            return true;
        };
        return new ReplySink() {
            @Override
            public boolean accept(ReplyEvent event) throws java.io.IOException {
                return gather.accept(event);
            }

            @Override
            public boolean quiet() {
                return failure == null; // another choice failed: stop this one too
            }
        };
    }

    Optional<ReplyEvent.Failed> failure() {
        return Optional.ofNullable(failure);
    }

    byte[] json(String id, long created, String model, boolean reasoning) {
        Usage total = Usage.ZERO;
        for (Choice c : choices) {
            total = ChatChunks.add(total, c.usage);
        }
        Usage usage = total;
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            for (int i = 0; i < choices.length; i++) {
                Choice c = choices[i];
                g.writeStartObject();
                g.writeNumberField("index", i);
                g.writeObjectFieldStart("message");
                g.writeStringField("role", "assistant");
                g.writeStringField("content", c.content.toString());
                if (reasoning) {
                    g.writeStringField("reasoning_content", c.reasoning.toString());
                }
                g.writeNullField("refusal");
                g.writeArrayFieldStart("annotations");
                g.writeEndArray();
                g.writeEndObject();
                g.writeNullField("logprobs");
                g.writeStringField("finish_reason", ChatChunks.finishReason(c.finish == null ? StopReason.END_TURN : c.finish));
                g.writeEndObject();
            }
            g.writeEndArray();
            ChatChunks.usage(g, usage);
            g.writeEndObject();
        });
    }
}
