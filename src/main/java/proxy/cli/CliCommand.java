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

/**
 * How a CLI process is started: its argv and its environment, made from a {@link ProcessKey}
 * and the engine's configuration. Nothing the client wrote goes into argv: questions go on
 * stdin, the system text into a file, earlier turns into a seeded session (no E2BIG, no
 * quoting, nothing visible in {@code ps}).
 *
 * <p>Chat mode, the default, gives the CLI no tools ({@code --tools ""}), no MCP servers but
 * explicit ones ({@code --strict-mcp-config}, and none are given) and no settings files
 * ({@code --setting-sources ""}), so no project file can change what it does. Agent mode passes
 * the operator's tool list and permission mode through; {@code bypassPermissions} only ever
 * comes from the operator's own flag.
 *
 * @param argv the command, {@code argv[0]} being the CLI
 * @param env  the CLI's whole environment
 */
record CliCommand(List<String> argv, Map<String, String> env) {

    /**
     * @param cli        the resolved CLI executable
     * @param systemFile the client's system text, already written to a file, if any
     * @param resume     the seeded session holding the history, if seeded
     */
    static CliCommand of(Config config, Path cli, ProcessKey key, Optional<Path> systemFile, Optional<UUID> resume) {
        List<String> argv = new ArrayList<>(List.of(cli.toString(), "-p",
                "--input-format", "stream-json",
                "--output-format", "stream-json", "--verbose",
                "--include-partial-messages",
                "--no-session-persistence",
                "--model", key.model()));
        if (config.mode() == Config.Mode.CHAT) {
            argv.addAll(List.of("--tools", "", "--strict-mcp-config", "--setting-sources", ""));
        } else {
            config.tools().ifPresent(t -> argv.addAll(List.of("--tools", t)));
            config.allowedTools().ifPresent(t -> argv.addAll(List.of("--allowedTools", t)));
            config.permissionMode().ifPresent(m -> argv.addAll(List.of("--permission-mode", m)));
        }
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
        return new CliCommand(List.copyOf(argv), Map.copyOf(env));
    }

    /** The stdin line of one turn: the question, or with {@code flatten} the history written out before it. */
    static byte[] userLine(Conversation conversation, boolean flatten) {
        List<Part> question = flatten
                ? Transcript.flatten(conversation.history(), conversation.question().parts())
                : conversation.question().parts();
        return UserLine.of(question);
    }
}
