package proxy.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which echoed histories count as the one a kept CLI holds. */
class CanonicalTurnsTest {

    private static final Turn QUESTION = Turn.user("What is 2+2?");

    private static Turn assistant(Part... parts) {
        return new Turn(Turn.Role.ASSISTANT, List.of(parts));
    }

    private static void same(List<Turn> a, List<Turn> b) {
        assertEquals(CanonicalTurns.of(a), CanonicalTurns.of(b));
        assertEquals(CanonicalTurns.digest(a), CanonicalTurns.digest(b));
    }

    private static void different(List<Turn> a, List<Turn> b) {
        assertNotEquals(CanonicalTurns.of(a), CanonicalTurns.of(b));
        assertNotEquals(CanonicalTurns.digest(a), CanonicalTurns.digest(b));
    }

    @Test
    void reasoningAndSurroundingSpaceDoNotMatter() {
        same(List.of(QUESTION, Turn.assistant("4.")),
                List.of(QUESTION, assistant(new Part.Thinking("add", "sig"), new Part.Text("\n4.  "))));
        same(List.of(QUESTION, Turn.assistant("4.")),
                List.of(QUESTION, assistant(new Part.RedactedThinking("xx"), new Part.Text("4."))));
    }

    @Test
    void textBlocksAreParagraphsOfOneText() {
        same(List.of(QUESTION, assistant(new Part.Text("First."), new Part.Text("Second."))),
                List.of(QUESTION, Turn.assistant("First.\n\nSecond.")));
        same(List.of(QUESTION, assistant(new Part.Text("First."), new Part.Text(""), new Part.Text("Second."))),
                List.of(QUESTION, Turn.assistant("First.\n\nSecond.")));
    }

    @Test
    void consecutiveTurnsOfOneRoleAreOne() {
        same(List.of(Turn.user("a"), Turn.user("b")), List.of(new Turn(Turn.Role.USER,
                List.of(new Part.Text("a"), new Part.Text("b")))));
    }

    @Test
    void toolArgumentsCompareAsJson() {
        same(List.of(QUESTION, assistant(new Part.ToolCall("t1", "add", "{\"a\": 2, \"b\": 2}"))),
                List.of(QUESTION, assistant(new Part.ToolCall("t1", "add", "{\"a\":2,\"b\":2}"))));
        different(List.of(QUESTION, assistant(new Part.ToolCall("t1", "add", "{\"a\":2}"))),
                List.of(QUESTION, assistant(new Part.ToolCall("t1", "add", "{\"a\":3}"))));
        different(List.of(QUESTION, assistant(new Part.ToolCall("t1", "add", "{}"))),
                List.of(QUESTION, assistant(new Part.ToolCall("t2", "add", "{}"))));
    }

    @Test
    void textThatLooksLikeStructureIsStillText() {
        different(List.of(Turn.user("a"), Turn.assistant("b")), List.of(Turn.user("a\"},{\"role\":\"assistant\",\"text\":\"b")));
    }

    @Test
    void anyRealChangeMatters() {
        List<Turn> said = List.of(QUESTION, Turn.assistant("4."));
        different(said, List.of(Turn.user("What is 2+3?"), Turn.assistant("4.")));
        different(said, List.of(QUESTION, Turn.assistant("4")));
        different(said, List.of(QUESTION, Turn.assistant("4. Sure.")));
        different(said, List.of(QUESTION));
        different(said, List.of(new Turn(Turn.Role.USER, List.of(new Part.Image("image/png", "AAAA"),
                new Part.Text("What is 2+2?"))), Turn.assistant("4.")));
        different(List.of(new Turn(Turn.Role.USER, List.of(new Part.ToolResult("t1", List.of(new Part.Text("4")), false)))),
                List.of(new Turn(Turn.Role.USER, List.of(new Part.ToolResult("t1", List.of(new Part.Text("4")), true)))));
    }
}
