package proxy.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import proxy.chat.ClientTools.Choice;

/** Which client tools the CLI serves for each {@code tool_choice}, and what the model is told. */
class ClientToolsTest {

    private static final ClientTool WEATHER = new ClientTool("get_weather", "Weather of a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
    private static final ClientTool TIME = new ClientTool("get_time", "", ClientTool.NO_ARGUMENTS);
    private static final List<ClientTool> BOTH = List.of(WEATHER, TIME);

    private static final String MUST_CALL = "You must answer this message by calling one or more of your tools, not with text alone.";
    private static final String ONE_CALL = "Call at most one tool per message.";

    @Test
    void servedToolsPerChoice() {
        assertEquals(BOTH, new ClientTools(BOTH, Choice.AUTO, true).served());
        assertEquals(BOTH, new ClientTools(BOTH, Choice.REQUIRED, true).served());
        assertEquals(List.of(), new ClientTools(BOTH, Choice.NONE, true).served());
        assertEquals(List.of(TIME), new ClientTools(BOTH, new Choice.Named("get_time"), true).served());
        assertEquals(List.of(WEATHER), new ClientTools(BOTH, new Choice.Named("get_weather"), false).served());
    }

    @Test
    void anyToolServed() {
        assertFalse(ClientTools.NONE.any());
        assertEquals(List.of(), ClientTools.NONE.served());
        assertTrue(new ClientTools(BOTH, Choice.AUTO, true).any());
        assertFalse(new ClientTools(BOTH, Choice.NONE, true).any(), "none serves no tools");
        assertFalse(new ClientTools(List.of(), Choice.REQUIRED, true).any());
    }

    @Test
    void autoAndNoneAskNothing() {
        assertEquals(Optional.empty(), new ClientTools(BOTH, Choice.AUTO, true).instruction());
        assertEquals(Optional.empty(), new ClientTools(BOTH, Choice.NONE, true).instruction());
        assertEquals(Optional.empty(), new ClientTools(BOTH, Choice.NONE, false).instruction(), "no tools, no calls to limit");
        assertEquals(Optional.empty(), ClientTools.NONE.instruction());
        assertEquals(Optional.empty(), new ClientTools(List.of(), Choice.REQUIRED, false).instruction());
    }

    @Test
    void requiredAsksForACall() {
        assertEquals(Optional.of(MUST_CALL), new ClientTools(BOTH, Choice.REQUIRED, true).instruction());
    }

    @Test
    void aNamedChoiceNamesTheTool() {
        ClientTools named = new ClientTools(BOTH, new Choice.Named("get_weather"), true);
        assertEquals(Optional.of("You must answer this message by calling the tool get_weather."), named.instruction());
        assertEquals(Optional.of("You must answer this message by calling the tool mcp__proxy__get_weather."),
                named.instruction(n -> "mcp__proxy__" + n), "named as the model knows it");
    }

    @Test
    void noParallelCallsIsSaid() {
        assertEquals(Optional.of(ONE_CALL), new ClientTools(BOTH, Choice.AUTO, false).instruction());
        assertEquals(Optional.of(MUST_CALL + " " + ONE_CALL), new ClientTools(BOTH, Choice.REQUIRED, false).instruction());
        assertEquals(Optional.of("You must answer this message by calling the tool get_time. " + ONE_CALL),
                new ClientTools(BOTH, new Choice.Named("get_time"), false).instruction());
    }

    @Test
    void aNamedToolMustBeOffered() {
        assertThrows(IllegalArgumentException.class, () -> new ClientTools(BOTH, new Choice.Named("get_date"), true));
        assertThrows(IllegalArgumentException.class, () -> new ClientTools(List.of(), new Choice.Named("get_time"), true));
    }
}
