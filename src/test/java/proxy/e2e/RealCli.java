package proxy.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real Claude Code CLI for end-to-end tests: installed with npm into
 * {@code target/claude-cli} (tests run with the project directory as working directory), once
 * per JVM, and run offline against a {@link FakeAnthropic} with {@link #env}. Without npm or
 * without a reachable npm registry the calling test is aborted (skipped); any other install
 * failure fails it.
 */
final class RealCli {

    static final String VERSION = "2.1.331";
    private static final NpmTool CLI = new NpmTool("@anthropic-ai/claude-code", VERSION, "claude-cli", "claude");

    private RealCli() {
    }

    /** The CLI binary, installing it first if needed; aborts the test if npm or its registry is unavailable. */
    static Path install() {
        return CLI.install();
    }

    /**
     * The offline environment for the CLI: PATH of this process, the given HOME, the fake
     * upstream and no background traffic. CLAUDE_CODE_MAX_RETRIES is left to the caller.
     * The map is a fresh mutable copy.
     */
    static Map<String, String> env(Path home, String baseUrl) {
        Map<String, String> env = new HashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null || path.isBlank() ? "/usr/bin:/bin" : path);
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-fake");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        return env;
    }

    /**
     * Runs {@code conversation} through a {@code CliEngine} on the real CLI against
     * {@code upstream}, with a HOME and a working directory under {@code tmp}; the events in order.
     */
    static java.util.List<proxy.chat.ReplyEvent> runEngine(Path tmp, FakeAnthropic upstream,
            proxy.chat.Conversation conversation) throws IOException {
        Path claude = install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        proxy.config.Config config;
        try {
            config = ((proxy.config.Args.Run) proxy.config.Args.parse(
                    new String[] {"--claude", claude.toString(), "--timeout", "120s"}, env(home, upstream.baseUrl()))).config();
        } catch (proxy.config.UsageException e) {
            throw new AssertionError(e);
        }
        java.util.List<proxy.chat.ReplyEvent> events = new java.util.ArrayList<>();
        try (proxy.cli.CliEngine engine = new proxy.cli.CliEngine(config, cwd)) {
            engine.run(conversation, e -> events.add(e));
        }
        return events;
    }
}
