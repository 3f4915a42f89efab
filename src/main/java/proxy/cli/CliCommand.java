package proxy.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import proxy.chat.Conversation;
import proxy.chat.Part;
import proxy.config.Config;
import proxy.json.Json;

/**
 * How a CLI process is started: its argv and its environment, made from a {@link ProcessKey}
 * and the engine's configuration. Nothing the client wrote goes into argv: questions go on
 * stdin, the system text into a file, earlier turns into a seeded session (no E2BIG, no
 * quoting, nothing visible in {@code ps}).
 *
 * <p>Chat mode, the default, gives the CLI no tools ({@code --tools ""}), no MCP servers but
 * explicit ones ({@code --strict-mcp-config}: only the proxy's own tool server, when the client
 * sent tools) and no settings files
 * ({@code --setting-sources ""}), so no project file can change what it does. Agent mode passes
 * the operator's tool list and permission mode through; {@code bypassPermissions} only ever
 * comes from the operator's own flag.
 *
 * @param argv the command, {@code argv[0]} being the CLI
 * @param env  the CLI's whole environment
 */
record CliCommand(List<String> argv, Map<String, String> env) {

    private static final java.time.Duration TOOL_TIMEOUT_MARGIN = java.time.Duration.ofMinutes(1);

    /**
     * @param cli        the resolved CLI executable
     * @param systemFile the client's system text, already written to a file, if any
     * @param resume     the seeded session holding the history, if seeded
     * @param toolServer the {@code --mcp-config} file naming the proxy's tool server, if the client sent tools
     */
    static CliCommand of(Config config, Path cli, ProcessKey key, Optional<Path> systemFile, Optional<UUID> resume,
            Optional<Path> toolServer) {
        List<String> argv = new ArrayList<>(List.of(cli.toString(), "-p",
                "--input-format", "stream-json",
                "--output-format", "stream-json", "--verbose",
                "--include-partial-messages",
                "--no-session-persistence",
                "--model", key.model()));
        // without being allowed, a call of an MCP tool is denied and the model told so (§12)
        Optional<String> clientTools = toolServer.map(f -> ToolNames.PREFIX + "*");
        if (config.mode() == Config.Mode.CHAT) {
            argv.addAll(List.of("--tools", "", "--strict-mcp-config", "--setting-sources", ""));
            clientTools.ifPresent(t -> argv.addAll(List.of("--allowedTools", t)));
        } else {
            config.tools().ifPresent(t -> argv.addAll(List.of("--tools", t)));
            Optional<String> allowed = config.allowedTools().map(t -> clientTools.map(c -> t + "," + c).orElse(t))
                    .or(() -> clientTools);
            allowed.ifPresent(t -> argv.addAll(List.of("--allowedTools", t)));
            config.permissionMode().ifPresent(m -> argv.addAll(List.of("--permission-mode", m)));
        }
        // a file, not the JSON: its URL holds the tool server's token, which ps must not show
        toolServer.ifPresent(f -> argv.addAll(List.of("--mcp-config", f.toString())));
        systemFile.ifPresent(f -> argv.addAll(List.of(
                config.systemPrompt() == Config.SystemPrompt.REPLACE ? "--system-prompt-file" : "--append-system-prompt-file",
                f.toString())));
        resume.ifPresent(id -> argv.addAll(List.of("--resume", id.toString())));
        key.effort().ifPresent(e -> argv.addAll(List.of("--effort", e)));
        // the schema is the client's, but not its prompt: small, and the CLI takes it only here
        key.jsonSchema().ifPresent(s -> argv.addAll(List.of("--json-schema", s)));

        Map<String, String> env = new HashMap<>(config.env());
        // the CLI's default retries take ~190 s to give up; a few fail fast with the right status
        env.put("CLAUDE_CODE_MAX_RETRIES", Integer.toString(config.cliMaxRetries()));
        key.maxTokens().ifPresent(n -> env.put("CLAUDE_CODE_MAX_OUTPUT_TOKENS", Integer.toString(n)));
        if (!key.thinking()) {
            env.put("CLAUDE_CODE_DISABLE_THINKING", "1"); // as the API: no reasoning unless asked for
        }
        // honoured by models with a thinking budget (sonnet 4.5); 5-5 models think adaptively
        key.thinkingBudget().ifPresent(n -> env.put("MAX_THINKING_TOKENS", Integer.toString(n)));
        // the CLI's own context-budget reminder is a system message the client never wrote (seen in tool rounds)
        env.put("CLAUDE_CODE_TOTAL_TOKENS_REMINDER", "off");
        if (toolServer.isPresent()) {
            // every client tool stays in front of the model, however many (agent mode would defer them)
            env.put("ENABLE_TOOL_SEARCH", "false");
            // a held call may wait the whole hold window; the CLI's own limit must not end it first
            env.put("MCP_TOOL_TIMEOUT", Long.toString(config.reuse().toolHold().plus(TOOL_TIMEOUT_MARGIN).toMillis()));
        }
        return new CliCommand(List.copyOf(argv), Map.copyOf(env));
    }

    /** The stdin line of one turn: the question, or with {@code flatten} the history written out before it. */
    static byte[] userLine(Conversation conversation, ToolNames names, boolean flatten) {
        List<Part> question = flatten
                ? Transcript.flatten(names.forModel(conversation.history()), conversation.question().parts())
                : conversation.question().parts();
        return UserLine.of(question);
    }

    /** The {@code --mcp-config} that names the proxy's tool server at {@code url}, and no other. */
    static String toolServerConfig(String url) {
        return new String(Json.bytes(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("mcpServers");
            g.writeObjectFieldStart(ToolNames.SERVER);
            g.writeStringField("type", "http");
            g.writeStringField("url", url);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }), java.nio.charset.StandardCharsets.UTF_8);
    }
}
