package proxy.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeMap;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Json;

/**
 * The replies of one request's choices gathered into one {@code chat.completion} object
 * (api-contract.md §2.5). Choices run on their own threads; each gathers into its own slot,
 * and the first failure stops them all.
 *
 * <p>Calls of the client's tools become {@code message.tool_calls} with their whole arguments
 * JSON ({@code {}} when the CLI streamed none), and {@code content} is null when there is no
 * text besides them, as OpenAI answers. A request in the deprecated {@code functions} form
 * gets {@code message.function_call} instead, of the first call only.
 */
final class ChatBody {

    /** One choice being gathered. */
    private static final class Choice {
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        boolean hadText;
        /** Where each block began, to cut back to when the CLI abandons blocks. */
        final java.util.Map<Integer, int[]> blockStarts = new java.util.HashMap<>();
        /** The client tool calls, by the reply's block index (in order, so abandoned ones can be cut off). */
        final TreeMap<Integer, Call> calls = new TreeMap<>();
        StopReason finish;
        Usage usage = Usage.ZERO;
    }

    /** A client tool call being gathered. */
    private record Call(String id, String name, StringBuilder arguments) {
        /** The arguments JSON; {@code {}} when the CLI streamed none (clients parse it, and "" is not JSON). */
        String argumentsJson() {
            return arguments.toString().isBlank() ? "{}" : arguments.toString();
        }
    }

    private final Choice[] choices;
    private final boolean legacyFunctions;
    private volatile ReplyEvent.Failed failure;

    ChatBody(int n, boolean legacyFunctions) {
        this.legacyFunctions = legacyFunctions;
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
                    } else if (b.block() instanceof ReplyEvent.Block.ToolCall call) { // not CliToolCall: answered by the CLI
                        c.calls.put(b.index(), new Call(call.id(), call.name(), new StringBuilder()));
                    }
                }
                case ReplyEvent.TextDelta d -> c.content.append(d.text());
                case ReplyEvent.ToolInputDelta d -> {
                    Call call = c.calls.get(d.index());
                    if (call != null) {
                        call.arguments().append(d.partialJson());
                    }
                }
                case ReplyEvent.ThinkingDelta d -> c.reasoning.append(d.thinking());
                case ReplyEvent.BlocksAbandoned a -> {
                    // the CLI retried after a broken stream: the blocks from there on are superseded
                    c.calls.tailMap(a.fromIndex()).clear();
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
            total = total.plus(c.usage);
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
                boolean calls = !c.calls.isEmpty();
                Json.stringOrNull(g, "content", calls && c.content.isEmpty() ? null : c.content.toString());
                if (reasoning) {
                    g.writeStringField("reasoning_content", c.reasoning.toString());
                }
                if (calls) {
                    calls(g, c.calls.values());
                }
                g.writeNullField("refusal");
                g.writeArrayFieldStart("annotations");
                g.writeEndArray();
                g.writeEndObject();
                g.writeNullField("logprobs");
                StopReason finish = c.finish == null ? StopReason.END_TURN : c.finish;
                int shown = legacyFunctions ? Math.min(1, c.calls.size()) : c.calls.size();
                g.writeStringField("finish_reason", ChatChunks.finishReason(finish, shown, legacyFunctions));
                g.writeEndObject();
            }
            g.writeEndArray();
            ChatChunks.usage(g, usage);
            g.writeEndObject();
        });
    }

    /** {@code "tool_calls": [...]}, or the deprecated {@code "function_call": {...}} of the first call. */
    private void calls(JsonGenerator g, Collection<Call> calls) throws IOException {
        if (legacyFunctions) {
            Call first = calls.iterator().next();
            g.writeObjectFieldStart("function_call");
            g.writeStringField("name", first.name());
            g.writeStringField("arguments", first.argumentsJson());
            g.writeEndObject();
            return;
        }
        g.writeArrayFieldStart("tool_calls");
        for (Call call : calls) {
            g.writeStartObject();
            g.writeStringField("id", call.id());
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", call.name());
            g.writeStringField("arguments", call.argumentsJson());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
