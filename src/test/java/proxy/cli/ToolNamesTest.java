package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import proxy.chat.ClientTool;
import proxy.chat.Part;
import proxy.chat.Turn;

/** The names client tools go by on the model's side of the CLI, and back. */
class ToolNamesTest {

    /** What the API and the CLI let through as the part after {@code mcp__proxy__}. */
    private static final Pattern SERVABLE = Pattern.compile("[A-Za-z0-9_-]{1,52}");

    private static ToolNames names(String... clientNames) {
        return ToolNames.of(Arrays.stream(clientNames).map(n -> new ClientTool(n, "", ClientTool.NO_ARGUMENTS)).toList());
    }

    /** The served name of {@code clientName}: servable, and mapped back to the client's name. */
    private static String servedAndBack(ToolNames names, String clientName) {
        String served = names.served(clientName);
        assertTrue(SERVABLE.matcher(served).matches(), clientName + " is served as " + served);
        assertTrue((ToolNames.PREFIX + served).length() <= 64, served);
        assertEquals(clientName, names.clientName(ToolNames.PREFIX + served));
        return served;
    }

    @Test
    void safeNamesAreServedAsTheyAre() {
        ToolNames names = names("Bash", "read", "get_weather", "x-1");
        for (String name : List.of("Bash", "read", "get_weather", "x-1")) {
            assertEquals(name, names.served(name));
            assertEquals(name, names.clientName("mcp__proxy__" + name));
        }
    }

    @Test
    void onlyPrefixedNamesOfClientToolsAreTheClients() {
        ToolNames names = names("Bash", "get_weather");
        assertEquals("Bash", names.clientName("mcp__proxy__Bash"));
        assertNull(names.clientName("Bash"), "the CLI's own Bash");
        assertNull(names.clientName("Read"));
        assertNull(names.clientName("mcp__proxy__Read"), "not a tool the client offered");
        assertNull(names.clientName("mcp__other__Bash"), "another MCP server's tool");
        assertNull(names.clientName("mcp__proxy__"));
        assertNull(names.clientName(null));
        assertNull(names.served("Read"));
    }

    @Test
    void aNameTooLongOncePrefixedGetsAShortAlias() {
        String sixty = "a".repeat(60);
        String fiftyTwo = "b".repeat(52);
        String fiftyThree = "c".repeat(53);
        ToolNames names = names(sixty, fiftyTwo, fiftyThree);
        assertNotEquals(sixty, servedAndBack(names, sixty));
        assertEquals(fiftyTwo, servedAndBack(names, fiftyTwo), "64 characters with the prefix still fit");
        assertNotEquals(fiftyThree, servedAndBack(names, fiftyThree));
        assertNull(names.clientName(ToolNames.PREFIX + sixty), "the model never knew the long name");
    }

    @Test
    void namesWithCharactersTheCliReplacesGetAnAlias() {
        List<String> odd = List.of("files.read", "fs/write", "get weather", "ünïcode", "a:b", "");
        ToolNames names = names(odd.toArray(String[]::new));
        List<String> served = odd.stream().map(n -> servedAndBack(names, n)).toList();
        assertEquals(odd.size(), served.stream().distinct().count(), served.toString());
    }

    @Test
    void namesThatSanitizeAlikeGetDifferentAliases() {
        ToolNames names = names("a.b", "a/b", "a b");
        String dot = servedAndBack(names, "a.b");
        String slash = servedAndBack(names, "a/b");
        String space = servedAndBack(names, "a b");
        assertNotEquals(dot, slash);
        assertNotEquals(dot, space);
        assertNotEquals(slash, space);

        // long names alike in the part an alias keeps
        String common = "x".repeat(40);
        ToolNames longNames = names(common + "_one", common + "_two");
        assertNotEquals(servedAndBack(longNames, common + "_one"), servedAndBack(longNames, common + "_two"));
    }

    @Test
    void anAliasNeverTakesAnotherToolsSafeName() {
        for (ToolNames names : List.of(names("a.b", "a_b_1", "a_b_2"), names("a_b_1", "a_b_2", "a.b"))) {
            assertEquals("a_b_1", names.served("a_b_1"));
            assertEquals("a_b_2", names.served("a_b_2"));
            String alias = servedAndBack(names, "a.b");
            assertNotEquals("a_b_1", alias);
            assertNotEquals("a_b_2", alias);
            assertEquals("a_b_1", names.clientName("mcp__proxy__a_b_1"));
            assertEquals("a_b_2", names.clientName("mcp__proxy__a_b_2"));
        }
    }

    @Test
    void historyCallsOfClientToolsAreRenamedForTheModel() {
        ToolNames names = names("get_weather", "files.read");
        String alias = names.served("files.read");
        Part.ToolResult result = new Part.ToolResult("t1", List.of(new Part.Text("sunny")), false);
        List<Turn> history = List.of(
                Turn.user("Weather?"),
                new Turn(Turn.Role.ASSISTANT, List.of(
                        new Part.Text("Checking."),
                        new Part.ToolCall("t1", "get_weather", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("t2", "files.read", "{}"),
                        new Part.ToolCall("t3", "Read", "{\"file_path\":\"/x\"}"),
                        new Part.ToolCall("t4", "mcp__proxy__get_weather", "{}"))),
                new Turn(Turn.Role.USER, List.of(result)));

        assertEquals(List.of(
                Turn.user("Weather?"),
                new Turn(Turn.Role.ASSISTANT, List.of(
                        new Part.Text("Checking."),
                        new Part.ToolCall("t1", "mcp__proxy__get_weather", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("t2", "mcp__proxy__" + alias, "{}"),
                        new Part.ToolCall("t3", "Read", "{\"file_path\":\"/x\"}"),
                        new Part.ToolCall("t4", "mcp__proxy__get_weather", "{}"))),
                new Turn(Turn.Role.USER, List.of(result))),
                names.forModel(history));
    }

    @Test
    void withoutClientToolsTheHistoryIsUnchanged() {
        List<Turn> history = List.of(Turn.user("q"),
                new Turn(Turn.Role.ASSISTANT, List.of(new Part.ToolCall("t1", "get_weather", "{}"))));
        assertSame(history, names().forModel(history));
        assertEquals(history, names("other").forModel(history));
    }
}
