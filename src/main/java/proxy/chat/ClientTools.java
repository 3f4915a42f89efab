package proxy.chat;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The client's tools and what it asked about their use ({@code tool_choice}). The CLI has no
 * flag for a forced call, so what can be enforced is: {@code none} serves no tools (the
 * history's calls stay valid), a named tool is the only one served; and a forced call
 * ({@code required}, {@code any}, a named tool) is asked for in the system text, which the
 * model usually follows but which nothing guarantees (README: advisory).
 *
 * @param offered  the tools as the client gave them, in its order; names are unique
 * @param choice   what the client asked for
 * @param parallel false when the client asked for at most one call per reply (advisory: the CLI
 *                 has no such switch; the model is told)
 */
public record ClientTools(List<ClientTool> offered, Choice choice, boolean parallel) {

    /** No client tools. */
    public static final ClientTools NONE = new ClientTools(List.of(), Choice.AUTO, true);

    /** {@code tool_choice}, in neutral terms. */
    public sealed interface Choice {
        /** The model decides (the default). */
        Choice AUTO = new Auto();
        /** No tool may be called. */
        Choice NONE = new None();
        /** Some tool must be called (OpenAI {@code required}, Anthropic {@code any}). */
        Choice REQUIRED = new Required();

        record Auto() implements Choice {}

        record None() implements Choice {}

        record Required() implements Choice {}

        /** This tool must be called. */
        record Named(String name) implements Choice {}
    }

    public ClientTools {
        offered = List.copyOf(offered);
        if (choice instanceof Choice.Named named && offered.stream().noneMatch(t -> t.name().equals(named.name()))) {
            throw new IllegalArgumentException("the named tool is not offered: " + named.name());
        }
    }

    /** Whether the CLI serves any tool for this request. */
    public boolean any() {
        return !served().isEmpty();
    }

    /** The tools the CLI serves: none for {@code none}, only the named one for a named choice. */
    public List<ClientTool> served() {
        return switch (choice) {
            case Choice.None n -> List.of();
            case Choice.Named named -> offered.stream().filter(t -> t.name().equals(named.name())).toList();
            case Choice.Auto a -> offered;
            case Choice.Required r -> offered;
        };
    }

    /** What the system text must say for the choice to be followed, if anything (tools named as the client names them). */
    public Optional<String> instruction() {
        return instruction(UnaryOperator.identity());
    }

    /**
     * What the system text must say for the choice to be followed, if anything, naming a tool
     * by {@code modelName} of its client name: the name the model knows it by.
     */
    public Optional<String> instruction(UnaryOperator<String> modelName) {
        if (!any()) {
            return Optional.empty();
        }
        String must = switch (choice) {
            case Choice.Required r -> "You must answer this message by calling one or more of your tools, not with text alone.";
            case Choice.Named n -> "You must answer this message by calling the tool " + modelName.apply(n.name()) + ".";
            case Choice.Auto a -> "";
            case Choice.None n -> "";
        };
        String once = parallel ? "" : "Call at most one tool per message.";
        String text = (must + " " + once).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
