package proxy.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request in neutral terms: what both APIs translate into and the CLI layer runs. The last
 * turn is the user's new message; the ones before it are history.
 *
 * @param model         the model name as the client gave it (an alias or a full id)
 * @param system        system text, if any
 * @param turns         the messages, oldest first; never empty, last is a user turn
 * @param maxTokens     most output tokens the reply may have, if limited
 * @param stopSequences strings that end the reply where they first appear in its text
 * @param thinking      whether the client asked for reasoning to be shown
 * @param thinkingBudget most tokens the reasoning may take, if the client said
 * @param effort        the CLI's effort level ({@code low}, {@code medium}, {@code high}, {@code max}), if set
 * @param jsonSchema    a JSON schema the answer must follow (as JSON text), if any: the answer is then that JSON
 * @param tools         the client's tools and its {@code tool_choice}; {@link ClientTools#NONE} if it sent none
 */
public record Conversation(
        String model,
        Optional<String> system,
        List<Turn> turns,
        OptionalInt maxTokens,
        List<String> stopSequences,
        boolean thinking,
        OptionalInt thinkingBudget,
        Optional<String> effort,
        Optional<String> jsonSchema,
        ClientTools tools) {

    public Conversation {
        turns = List.copyOf(turns);
        stopSequences = List.copyOf(stopSequences);
        if (turns.isEmpty() || turns.get(turns.size() - 1).role() != Turn.Role.USER) {
            throw new IllegalArgumentException("a conversation ends with a user turn");
        }
    }

    public Conversation(String model, Optional<String> system, List<Turn> turns, OptionalInt maxTokens,
            List<String> stopSequences, boolean thinking) {
        this(model, system, turns, maxTokens, stopSequences, thinking, OptionalInt.empty());
    }

    public Conversation(String model, Optional<String> system, List<Turn> turns, OptionalInt maxTokens,
            List<String> stopSequences, boolean thinking, OptionalInt thinkingBudget) {
        this(model, system, turns, maxTokens, stopSequences, thinking, thinkingBudget, Optional.empty(), Optional.empty());
    }

    public Conversation(String model, Optional<String> system, List<Turn> turns, OptionalInt maxTokens,
            List<String> stopSequences, boolean thinking, OptionalInt thinkingBudget, Optional<String> effort,
            Optional<String> jsonSchema) {
        this(model, system, turns, maxTokens, stopSequences, thinking, thinkingBudget, effort, jsonSchema, ClientTools.NONE);
    }

    /** A one-question conversation, for tests and simple callers. */
    public static Conversation of(String model, String question) {
        return new Conversation(model, Optional.empty(), List.of(Turn.user(question)), OptionalInt.empty(), List.of(), false);
    }

    /**
     * The new user message: the last turn, together with any user turns right before it (two
     * user messages in a row are one question to the model, and a history must not end with a
     * user turn the model never answered).
     */
    public Turn question() {
        List<Part> parts = new ArrayList<>();
        for (Turn t : turns.subList(questionStart(), turns.size())) {
            parts.addAll(t.parts());
        }
        return new Turn(Turn.Role.USER, parts);
    }

    /** The turns before the question; empty, or ending with an assistant turn. */
    public List<Turn> history() {
        return turns.subList(0, questionStart());
    }

    private int questionStart() {
        int i = turns.size() - 1;
        while (i > 0 && turns.get(i - 1).role() == Turn.Role.USER) {
            i--;
        }
        return i;
    }
}
