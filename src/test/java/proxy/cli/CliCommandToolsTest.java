package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.chat.Conversation;
import proxy.chat.Turn;
import proxy.config.Args;
import proxy.config.Config;
import proxy.config.UsageException;

/** How a CLI that serves client tools is started (cli-protocol.md §12), and what its key says. */
class CliCommandToolsTest {

    private static final Path CLI = Path.of("/bin/true");
    private static final Path TOOL_SERVER = Path.of("/tmp/claude-proxy-test/run-1/mcp.json");
    private static final ClientTool WEATHER = new ClientTool("get_weather", "Weather of a city", ClientTool.NO_ARGUMENTS);
    private static final ClientTool READ = new ClientTool("files.read", "", ClientTool.NO_ARGUMENTS);

    private static Config config(String... args) throws UsageException {
        String[] all = new String[args.length + 2];
        all[0] = "--claude";
        all[1] = "/bin/true";
        System.arraycopy(args, 0, all, 2, args.length);
        return ((Args.Run) Args.parse(all, Map.of("PATH", "/usr/bin:/bin"))).config();
    }

    private static Conversation conversation(Optional<String> system, ClientTools tools) {
        return new Conversation("sonnet", system, List.of(Turn.user("Weather in Paris?")), OptionalInt.empty(), List.of(),
                false, OptionalInt.empty(), Optional.empty(), Optional.empty(), tools);
    }

    private static final ProcessKey KEY = ProcessKey.of(
            conversation(Optional.empty(), new ClientTools(List.of(WEATHER), Choice.AUTO, true)));

    private static CliCommand command(Config config, Optional<Path> toolServer) {
        return CliCommand.of(config, CLI, KEY, Optional.empty(), Optional.<UUID>empty(), toolServer);
    }

    /** The value after {@code flag} in argv; fails if the flag is absent or given twice. */
    private static String after(List<String> argv, String flag) {
        int i = argv.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < argv.size(), flag + " in " + argv);
        assertEquals(i, argv.lastIndexOf(flag), flag + " once in " + argv);
        return argv.get(i + 1);
    }

    @Test
    void chatModeWithAToolServer() throws UsageException {
        CliCommand c = command(config(), Optional.of(TOOL_SERVER));
        assertEquals("mcp__proxy__*", after(c.argv(), "--allowedTools"));
        assertEquals(TOOL_SERVER.toString(), after(c.argv(), "--mcp-config"));
        assertTrue(c.argv().contains("--strict-mcp-config"), c.argv().toString());
        assertEquals("", after(c.argv(), "--tools"), "still none of the CLI's own tools");
        assertTrue(c.argv().stream().noneMatch(a -> a.contains("mcpServers") || a.contains("http")),
                "the config is a file, never the JSON with its URL: " + c.argv());
        assertEquals("false", c.env().get("ENABLE_TOOL_SEARCH"));
        assertEquals(Long.toString((10 * 60 + 60) * 1000L), c.env().get("MCP_TOOL_TIMEOUT"), "the default hold, 10 min, plus 60 s");
        assertEquals("off", c.env().get("CLAUDE_CODE_TOTAL_TOKENS_REMINDER"));
    }

    @Test
    void theToolTimeoutFollowsTheToolHold() throws UsageException {
        CliCommand c = command(config("--tool-hold", "90s"), Optional.of(TOOL_SERVER));
        assertEquals("150000", c.env().get("MCP_TOOL_TIMEOUT"));
    }

    @Test
    void agentModeAllowsTheClientToolsBesideTheOperatorsList() throws UsageException {
        CliCommand c = command(config("--mode", "agent", "--allowed-tools", "Bash"), Optional.of(TOOL_SERVER));
        assertEquals("Bash,mcp__proxy__*", after(c.argv(), "--allowedTools"));
        assertEquals(TOOL_SERVER.toString(), after(c.argv(), "--mcp-config"));
        assertEquals("false", c.env().get("ENABLE_TOOL_SEARCH"));
        assertTrue(c.env().containsKey("MCP_TOOL_TIMEOUT"));

        CliCommand noList = command(config("--mode", "agent"), Optional.of(TOOL_SERVER));
        assertEquals("mcp__proxy__*", after(noList.argv(), "--allowedTools"));
    }

    @Test
    void withoutToolsNothingOfTheToolServer() throws UsageException {
        for (Config config : List.of(config(), config("--mode", "agent"))) {
            CliCommand c = command(config, Optional.empty());
            assertFalse(c.argv().contains("--mcp-config"), c.argv().toString());
            assertFalse(c.argv().contains("--allowedTools"), c.argv().toString());
            assertTrue(c.argv().stream().noneMatch(a -> a.contains("mcp__proxy")), c.argv().toString());
            assertFalse(c.env().containsKey("ENABLE_TOOL_SEARCH"), c.env().toString());
            assertFalse(c.env().containsKey("MCP_TOOL_TIMEOUT"), c.env().toString());
            assertEquals("off", c.env().get("CLAUDE_CODE_TOTAL_TOKENS_REMINDER"));
        }
        CliCommand agent = command(config("--mode", "agent", "--allowed-tools", "Bash"), Optional.empty());
        assertEquals("Bash", after(agent.argv(), "--allowedTools"));
    }

    @Test
    void theKeyAsksForANamedToolInTheSystemText() {
        ProcessKey key = ProcessKey.of(conversation(Optional.of("Be brief."),
                new ClientTools(List.of(WEATHER, READ), new Choice.Named("get_weather"), true)));
        assertEquals(Optional.of("Be brief.\n\nYou must answer this message by calling the tool mcp__proxy__get_weather."),
                key.system());
        assertEquals(List.of(WEATHER), key.tools(), "only the named tool is served");

        ProcessKey aliased = ProcessKey.of(conversation(Optional.empty(),
                new ClientTools(List.of(WEATHER, READ), new Choice.Named("files.read"), true)));
        String served = ToolNames.of(List.of(READ)).served("files.read");
        assertEquals(Optional.of("You must answer this message by calling the tool mcp__proxy__" + served + "."),
                aliased.system(), "named as the model knows it");
    }

    @Test
    void theKeyLeavesTheSystemTextAloneForAuto() {
        ClientTools auto = new ClientTools(List.of(WEATHER, READ), Choice.AUTO, true);
        assertEquals(Optional.of("Be brief."), ProcessKey.of(conversation(Optional.of("Be brief."), auto)).system());
        assertEquals(Optional.empty(), ProcessKey.of(conversation(Optional.empty(), auto)).system());
        assertEquals(List.of(WEATHER, READ), ProcessKey.of(conversation(Optional.empty(), auto)).tools());

        ClientTools none = new ClientTools(List.of(WEATHER), Choice.NONE, true);
        assertEquals(Optional.of("Be brief."), ProcessKey.of(conversation(Optional.of("Be brief."), none)).system());
        assertEquals(List.of(), ProcessKey.of(conversation(Optional.empty(), none)).tools());
    }

    @Test
    void theKeyAsksForACallWhenOneIsRequired() {
        ProcessKey key = ProcessKey.of(conversation(Optional.empty(), new ClientTools(List.of(WEATHER), Choice.REQUIRED, false)));
        assertEquals(Optional.of("You must answer this message by calling one or more of your tools, not with text alone. "
                + "Call at most one tool per message."), key.system());
    }

    @Test
    void toolServerConfigNamesOnlyTheProxy() {
        assertEquals("{\"mcpServers\":{\"proxy\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8080/mcp/s3cr3t\"}}}",
                CliCommand.toolServerConfig("http://127.0.0.1:8080/mcp/s3cr3t"));
    }
}
