package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.json.Node;
import proxy.mcp.HeldCall;
import proxy.mcp.McpBridge;
import proxy.mcp.McpSession;
import proxy.mcp.McpTool;

/**
 * The MCP bridge against the real CLI (the ground the client-tools feature stands on): the CLI
 * connects, lists a tool named like one of its own built-ins, calls it when the model asks,
 * the call is held until answered, and the answer reaches the upstream as the tool_result,
 * after which the CLI finishes its turn.
 */
class McpBridgeRealCliIT {

    @TempDir
    Path tmp;

    @Test
    void aHeldCallIsAnsweredIntoTheSameTurn() throws Exception {
        Path claude = RealCli.install();
        McpBridge bridge = new McpBridge(Duration.ofSeconds(20));
        HttpServer mcp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mcp.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        mcp.createContext(McpBridge.PATH, bridge);
        mcp.start();
        Process cli = null;
        try (FakeAnthropic upstream = new FakeAnthropic();
             McpSession session = bridge.open(List.of(new McpTool("Bash", "Runs a shell command",
                     Node.parse("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}},\"required\":[\"command\"]}"))))) {
            upstream.reply(FakeAnthropic.Reply.toolUse("mcp__proxy__Bash", "{\"command\":\"ls\"}"),
                    FakeAnthropic.Reply.text("Two", " files."));
            String url = "http://127.0.0.1:" + mcp.getAddress().getPort() + session.path();
            ProcessBuilder pb = new ProcessBuilder(claude.toString(), "-p", "--input-format", "stream-json",
                    "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--no-session-persistence",
                    "--model", "haiku", "--tools", "", "--strict-mcp-config", "--setting-sources", "",
                    "--mcp-config", "{\"mcpServers\":{\"proxy\":{\"type\":\"http\",\"url\":\"" + url + "\"}}}",
                    "--allowedTools", "mcp__proxy__*").directory(Files.createDirectories(tmp.resolve("cwd")).toFile());
            pb.environment().clear();
            Map<String, String> env = RealCli.env(Files.createDirectories(tmp.resolve("home")), upstream.baseUrl());
            env.put("CLAUDE_CODE_MAX_RETRIES", "0");
            env.put("CLAUDE_CODE_TOTAL_TOKENS_REMINDER", "off"); // else every tool_result gets a reminder block
            pb.environment().putAll(env);
            pb.redirectError(tmp.resolve("stderr").toFile());
            cli = pb.start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process running = cli;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                } catch (Exception e) {
                    // the process ended
                }
            });
            OutputStream stdin = cli.getOutputStream();
            stdin.write("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"List the files.\"}]}}\n"
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush(); // stdin stays open, as the proxy keeps it

            HeldCall call = session.awaitCall("toolu_fake_1", Duration.ofSeconds(60)).orElseThrow(
                    () -> new AssertionError("no tools/call; stdout so far: " + lines));
            assertEquals("Bash", call.name());
            assertEquals("{\"command\":\"ls\"}", call.argumentsJson());
            assertEquals(1, upstream.requests().size(), "the CLI waits for the held call before its next request");
            call.answer("a.txt\nb.txt", false);

            Node result = null;
            while (result == null) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null, "no result line; stdout: " + lines);
                Node n = Node.parse(line);
                if ("system".equals(n.text("type")) && "init".equals(n.text("subtype"))) {
                    assertEquals("connected", n.get("mcp_servers").elements().get(0).text("status"), line);
                }
                if ("result".equals(n.text("type"))) {
                    result = n;
                }
            }
            assertEquals("success", result.text("subtype"), result.toJson());
            assertEquals("Two files.", result.text("result"));
            assertEquals(2, upstream.requests().size());
            String second = upstream.requests().get(1).body();
            assertTrue(second.contains("\"tool_use_id\":\"toolu_fake_1\""), second);
            assertTrue(second.contains("a.txt\\nb.txt"), "the answer reached the model as the tool_result: " + second);
            assertTrue(Node.parse(upstream.requests().get(0).body()).toJson().contains("\"name\":\"mcp__proxy__Bash\""),
                    "a client tool named like a built-in reaches the model under the bridge's prefix");
        } finally {
            if (cli != null) {
                cli.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            mcp.stop(0);
        }
    }
}
