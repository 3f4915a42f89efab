package proxy.cli;

import java.util.ArrayList;
import java.util.List;
import proxy.chat.Part;
import proxy.chat.Turn;

/**
 * The fallback for history: earlier turns written out as text in front of the question, for
 * CLI versions that cannot resume a seeded session. The model then sees its earlier answers
 * as quoted text rather than as its own turns, which is why seeding is the default.
 */
final class Transcript {

    private Transcript() {}

    /** The question's parts, preceded by one text part holding the earlier turns. */
    static List<Part> flatten(List<Turn> history, List<Part> question) {
        if (history.isEmpty()) {
            return question;
        }
        StringBuilder sb = new StringBuilder("<conversation_history>\n");
        for (Turn turn : history) {
            sb.append(turn.role() == Turn.Role.USER ? "User: " : "Assistant: ");
            for (Part part : turn.parts()) {
                sb.append(describe(part));
            }
            sb.append("\n\n");
        }
        sb.setLength(sb.length() - 1);
        sb.append("</conversation_history>\n\n");
        List<Part> parts = new ArrayList<>();
        parts.add(new Part.Text(sb.toString()));
        for (Part part : question) {
            // a result whose call is only quoted text above cannot be a tool_result block (the API refuses it)
            parts.add(part instanceof Part.ToolResult ? new Part.Text(describe(part)) : part);
        }
        return parts;
    }

    private static String describe(Part part) {
        return switch (part) {
            case Part.Text t -> t.text();
            case Part.Image i -> "[image]";
            case Part.ToolCall c -> "[called tool " + c.name() + " with " + c.inputJson() + "]";
            case Part.ToolResult r -> "[tool result" + (r.isError() ? " (error)" : "") + ": "
                    + r.content().stream().map(Transcript::describe).reduce("", String::concat) + "]";
            case Part.Thinking t -> "";
            case Part.RedactedThinking r -> "";
        };
    }
}
