package proxy.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConversationTest {

    private static Conversation of(Turn... turns) {
        return new Conversation("m", Optional.empty(), List.of(turns), OptionalInt.empty(), List.of(), false);
    }

    @Test
    void questionIsTheLastTurnAndHistoryTheRest() {
        Conversation c = of(Turn.user("a"), Turn.assistant("b"), Turn.user("c"));
        assertEquals(Turn.user("c"), c.question());
        assertEquals(List.of(Turn.user("a"), Turn.assistant("b")), c.history());
    }

    /** A seeded history ending with a user turn makes the CLI invent "No response requested." */
    @Test
    void userTurnsInARowAreOneQuestion() {
        Conversation c = of(Turn.user("a"), Turn.assistant("b"), Turn.user("c"), Turn.user("d"));
        assertEquals(new Turn(Turn.Role.USER, List.of(new Part.Text("c"), new Part.Text("d"))), c.question());
        assertEquals(List.of(Turn.user("a"), Turn.assistant("b")), c.history());
        assertEquals(List.of(), of(Turn.user("x"), Turn.user("y")).history());
    }

    @Test
    void aConversationEndsWithAUserTurn() {
        assertThrows(IllegalArgumentException.class, () -> of(Turn.user("a"), Turn.assistant("b")));
        assertThrows(IllegalArgumentException.class, () -> of());
    }
}
