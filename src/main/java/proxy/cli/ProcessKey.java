package proxy.cli;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import proxy.chat.ClientTool;
import proxy.chat.Conversation;

/**
 * What is fixed when a CLI process starts, so the key a process can be reused under: two
 * requests with equal keys can be served by the same kind of process (its argv and environment
 * are made from the key and the engine's configuration alone). The conversation's history is
 * not in the key: a kept process carries its own, and a pooled one has none.
 *
 * <p>Per-request limits that reach the CLI only at start are part of the key rather than
 * enforced by the proxy alone: {@code maxTokens} (the CLI's {@code CLAUDE_CODE_MAX_OUTPUT_TOKENS},
 * so the model itself is told the limit and the reply ends with the real {@code max_tokens}
 * stop; {@link proxy.chat.ReplyLimits} only backs it up) and thinking on/off and its budget
 * (there is no other way to turn it off). Clients tend to send the same values on every
 * request, so the pool, which learns keys from traffic, still hits. So do client tools: coding
 * agents send the same list every time. The system text includes what the tool choice asks of
 * the model ({@link proxy.chat.ClientTools#instruction}).
 *
 * @param model          the model as the client named it (an alias or a full id)
 * @param system         the client's system text, if any
 * @param maxTokens      the output-token cap, if any
 * @param thinking       whether reasoning is on
 * @param thinkingBudget the reasoning budget, if any
 * @param effort         the effort level, if any
 * @param jsonSchema     the JSON schema of a structured answer, if any
 * @param tools          the client tools the CLI serves (the CLI lists them once, at start)
 */
record ProcessKey(
        String model,
        Optional<String> system,
        OptionalInt maxTokens,
        boolean thinking,
        OptionalInt thinkingBudget,
        Optional<String> effort,
        Optional<String> jsonSchema,
        List<ClientTool> tools) {

    ProcessKey {
        tools = List.copyOf(tools);
    }

    static ProcessKey of(Conversation c) {
        ToolNames names = ToolNames.of(c.tools().served());
        Optional<String> instruction = c.tools().instruction(name -> ToolNames.PREFIX + names.served(name));
        Optional<String> system = instruction.isEmpty() ? c.system()
                : Optional.of(c.system().map(s -> s + "\n\n").orElse("") + instruction.get());
        return new ProcessKey(c.model(), system, c.maxTokens(), c.thinking(), c.thinkingBudget(), c.effort(),
                c.jsonSchema(), c.tools().served());
    }

    /** Whether the reply is a structured answer (then the CLI's StructuredOutput call is the content). */
    boolean structured() {
        return jsonSchema.isPresent();
    }
}
