package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;

/**
 * The real Codex CLI (npm {@code @openai/codex}) pointed at the proxy, which drives the real
 * Claude CLI against {@link FakeAnthropic}: Codex speaks only the Responses API, gets the
 * model's call of its {@code exec_command} function, runs the command itself, and its result
 * continues the same Claude CLI to the final answer, which Codex prints.
 */
class CodexIT {

    private static final NpmTool CODEX = new NpmTool("@openai/codex", "0.171.0", "codex-cli", "codex");

    @TempDir
    Path tmp;

    @Test
    void codexRunsAToolRoundThroughTheProxy() throws Exception {
        Path codex = CODEX.install();
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.toolUses("I will run it.",
                            new FakeAnthropic.Call("mcp__proxy__exec_command", "{\"cmd\":\"echo hello-from-codex\"}")),
                    FakeAnthropic.Reply.text("Codex saw the output."));
            Path home = Files.createDirectories(tmp.resolve("home"));
            try (TestServer proxy = TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude",
                    RealCli.install().toString(), "--warm", "0")) {
                Path codexHome = Files.createDirectories(tmp.resolve("codex-home"));
                Files.writeString(codexHome.resolve("config.toml"), """
                        model = "gpt-5"
                        model_provider = "proxy"

                        [model_providers.proxy]
                        name = "claude-proxy"
                        base_url = "%s"
                        env_key = "PROXY_API_KEY"
                        wire_api = "responses"
                        """.formatted(proxy.uri("/v1")));
                Path work = Files.createDirectories(tmp.resolve("work"));
                Path out = tmp.resolve("codex.out");
                ProcessBuilder pb = new ProcessBuilder(codex.toString(), "exec", "--skip-git-repo-check",
                        "--dangerously-bypass-approvals-and-sandbox", "Run echo hello-from-codex and report.")
                        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().put("CODEX_HOME", codexHome.toString());
                pb.environment().put("HOME", home.toString());
                pb.environment().put("PROXY_API_KEY", "unused");
                Process p = pb.start();
                p.getOutputStream().close(); // codex exec reads more input from a stdin that is not a terminal
                boolean ended = p.waitFor(120, TimeUnit.SECONDS);
                if (!ended) {
                    p.destroyForcibly().waitFor();
                }
                String printed = Files.readString(out);
                assertTrue(ended, "codex did not finish:\n" + printed);
                assertEquals(0, p.exitValue(), printed);
                assertTrue(printed.contains("hello-from-codex") && printed.contains("Codex saw the output."), printed);

                List<FakeAnthropic.Recorded> requests = upstream.requests();
                assertEquals(2, requests.size(), "one model call per round");
                assertEquals(requests.get(0).headers().get("x-claude-code-session-id"),
                        requests.get(1).headers().get("x-claude-code-session-id"), "the held CLI continued");
                assertTrue(requests.get(1).body().contains("hello-from-codex"), "the command's output reached the model");
            }
        }
    }
}
