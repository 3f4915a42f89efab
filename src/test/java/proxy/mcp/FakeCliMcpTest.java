package proxy.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import proxy.FakeCli;
import proxy.json.Node;

/**
 * The fake CLI against the real {@link McpBridge}: it connects as the real CLI does, calls the
 * served tools over HTTP while the bridge holds them, and carries the answers into its stream.
 * Other tests lean on this behaviour, so it is checked here against the bridge itself.
 */
@Timeout(30)
class FakeCliMcpTest {

    private static final String EOF = "\u0000EOF";

    private HttpServer server;
    private ExecutorService executor;
    private McpBridge bridge;
    private McpSession session;
    private Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        bridge = new McpBridge(Duration.ofMillis(200));
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext(McpBridge.PATH, bridge);
        server.start();
        session = bridge.open(List.of(
                new McpTool("Bash", "Runs a command", Node.parse("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}")),
                new McpTool("read", "Reads a file", Node.parse("{\"type\":\"object\"}"))));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        session.close();
        server.stop(0);
        executor.close();
    }

    private void startCli(String path, String prompt) throws IOException {
        startCli(path, prompt, false);
    }

    /**
     * Starts the fake as the proxy does, with its MCP server at {@code path} (the config as JSON
     * text, or in a file), and sends {@code prompt}.
     */
    private void startCli(String path, String prompt, boolean configFile) throws IOException {
        String config = "{\"mcpServers\":{\"proxy\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:"
                + server.getAddress().getPort() + path + "\"}}}";
        if (configFile) {
            config = Files.writeString(tmp.resolve("mcp.json"), config).toString();
        }
        ProcessBuilder pb = new ProcessBuilder(FakeCli.SCRIPT.toString(), "-p", "--input-format", "stream-json",
                "--output-format", "stream-json", "--verbose", "--mcp-config", config, "--allowedTools", "mcp__proxy__*")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().clear();
        pb.environment().putAll(FakeCli.env(Map.of()));
        process = pb.start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed: EOF below
            }
            lines.add(EOF);
        });
        send(prompt);
    }

    private void send(String prompt) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write(("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
                + prompt + "\"}]}}\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next stdout line, parsed; fails at EOF or after 5 s. */
    private Node next() throws Exception {
        String line = lines.poll(5, TimeUnit.SECONDS);
        assertNotNull(line, "no stdout line within 5 s");
        assertFalse(line.equals(EOF), "stdout ended");
        return Node.parse(line);
    }

    /** Lines up to and including the next one of {@code type}. */
    private List<Node> upTo(String type) throws Exception {
        List<Node> seen = new ArrayList<>();
        for (Node n = next(); ; n = next()) {
            seen.add(n);
            if (type.equals(n.text("type"))) {
                return seen;
            }
        }
    }

    private static List<String> texts(List<Node> nodes) {
        return nodes.stream().map(Node::text).toList();
    }

    private Node init() throws Exception {
        Node init = next();
        assertEquals("system", init.text("type"));
        assertEquals("init", init.text("subtype"));
        assertEquals("claude-fake", init.text("model"));
        assertNotNull(init.text("session_id"));
        return init;
    }

    /** The events of the stream_event lines among {@code lines}, in order. */
    private static List<Node> events(List<Node> lines) {
        return lines.stream().filter(l -> "stream_event".equals(l.text("type"))).map(l -> l.get("event")).toList();
    }

    /** Reads the first message (text then tool_use blocks) and returns the tool_use ids. */
    private List<String> toolUseMessage(List<String> names) throws Exception {
        List<Node> msg = upTo("assistant");
        List<Node> events = events(msg);
        assertEquals("message_start", events.getFirst().text("type"));
        String messageId = events.getFirst().get("message").text("id");
        assertTrue(messageId.matches("msg_fake_\\d+_\\d+_1"), messageId);
        assertEquals("Calling", events.get(2).get("delta").text("text"));

        List<String> ids = new ArrayList<>();
        for (int k = 1; k <= names.size(); k++) {
            int index = k;
            Node start = events.stream().filter(e -> "content_block_start".equals(e.text("type"))
                    && e.get("index").longValue(-1) == index).findFirst().orElseThrow();
            assertEquals("tool_use", start.get("content_block").text("type"));
            assertEquals("mcp__proxy__" + names.get(k - 1), start.get("content_block").text("name"));
            ids.add(start.get("content_block").text("id"));
            StringBuilder json = new StringBuilder();
            events.stream().filter(e -> "content_block_delta".equals(e.text("type")) && e.get("index").longValue(-1) == index)
                    .forEach(e -> json.append(e.get("delta").text("partial_json")));
            assertEquals("{\"n\":" + k + "}", Node.parse(json.toString()).toJson());
        }
        Node delta = events.get(events.size() - 2);
        assertEquals("message_delta", delta.text("type"));
        assertEquals("tool_use", delta.get("delta").text("stop_reason"));
        assertEquals("message_stop", events.getLast().text("type"));

        Node assistant = msg.getLast().get("message");
        assertEquals(messageId, assistant.text("id"));
        List<Node> content = assistant.get("content").elements();
        assertEquals(1 + names.size(), content.size());
        assertEquals("Calling", content.getFirst().text("text"));
        for (int k = 1; k <= names.size(); k++) {
            assertEquals(ids.get(k - 1), content.get(k).text("id"));
            assertEquals("{\"n\":" + k + "}", content.get(k).get("input").toJson());
        }
        return ids;
    }

    /** Reads the user line with the tool results, then the closing message; returns the result line. */
    private Node resultsMessage(List<String> ids, List<String> results, List<Boolean> errors) throws Exception {
        Node user = next();
        assertEquals("user", user.text("type"));
        List<Node> blocks = user.get("message").get("content").elements();
        assertEquals(ids.size(), blocks.size());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals("tool_result", blocks.get(i).text("type"));
            assertEquals(ids.get(i), blocks.get(i).text("tool_use_id"));
            assertEquals(results.get(i), blocks.get(i).get("content").elements().getFirst().text("text"));
            assertEquals(errors.get(i), blocks.get(i).get("is_error").isTrue());
        }
        String expected = "Results: " + String.join(" | ", results);
        List<Node> msg = upTo("assistant");
        List<Node> events = events(msg);
        assertTrue(events.getFirst().get("message").text("id").matches("msg_fake_\\d+_\\d+_2"));
        assertEquals(List.of(expected), texts(events.stream().filter(e -> "content_block_delta".equals(e.text("type")))
                .map(e -> e.get("delta").get("text")).toList()));
        assertEquals("end_turn", events.get(events.size() - 2).get("delta").text("stop_reason"));
        assertEquals(expected, msg.getLast().get("message").get("content").elements().getFirst().text("text"));
        Node result = next();
        assertEquals("result", result.text("type"));
        assertEquals("success", result.text("subtype"));
        assertFalse(result.get("is_error").isTrue());
        assertEquals(expected, result.text("result"));
        return result;
    }

    private void assertExits(int code, Duration within) throws InterruptedException {
        assertTrue(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), "the fake CLI still runs");
        assertEquals(code, process.exitValue());
    }

    /** 200,000 characters that need escaping in JSON and are not all one byte in UTF-8. */
    private static String bigText() {
        StringBuilder b = new StringBuilder();
        String piece = "line \"quoted\" back\\slash tab\t é ünï 😀 / end\n";
        while (b.length() < 200_000) {
            b.append(piece);
        }
        b.setLength(200_000);
        if (Character.isHighSurrogate(b.charAt(b.length() - 1))) {
            b.setCharAt(b.length() - 1, 'x');
        }
        return b.toString();
    }

    @Test
    void callsTheServedToolsAtOnceAndCarriesTheirAnswersBackExactly() throws Exception {
        startCli(session.path(), "go fake:mode=tools fake:calls=Bash+read");
        Node init = init();
        assertEquals("[{\"name\":\"proxy\",\"status\":\"connected\"}]", init.get("mcp_servers").toJson());
        assertEquals(List.of("mcp__proxy__Bash", "mcp__proxy__read"), texts(init.get("tools").elements()));

        List<String> ids = toolUseMessage(List.of("Bash", "read"));
        // both held at once: the second call comes although the first is not answered
        HeldCall bash = session.awaitCall(ids.get(0), Duration.ofSeconds(3)).orElseThrow();
        HeldCall read = session.awaitCall(ids.get(1), Duration.ofSeconds(3)).orElseThrow();
        assertEquals("Bash", bash.name());
        assertEquals("{\"n\":1}", bash.argumentsJson());
        assertEquals("read", read.name());
        assertEquals("{\"n\":2}", read.argumentsJson());
        Thread.sleep(300); // a progress notification or two go first, to be skipped

        String big = bigText();
        assertTrue(read.answer("no such file: \"x\"", true));
        assertTrue(bash.answer(big, false));
        Node result = resultsMessage(ids, List.of(big, "no such file: \"x\""), List.of(false, true));
        assertEquals("0.001", result.get("total_cost_usd").toJson());

        // the same process takes a second turn: no init line, cumulative cost
        send("again fake:mode=tools fake:calls=read fake:say=Again");
        List<Node> second = upTo("assistant");
        assertEquals("stream_event", second.getFirst().text("type"), "no second init line");
        String id = events(second).stream().filter(e -> "content_block_start".equals(e.text("type")))
                .map(e -> e.get("content_block")).filter(b -> "tool_use".equals(b.text("type"))).findFirst().orElseThrow().text("id");
        assertTrue(id.matches("toolu_fake_\\d+_2_1"), id);
        session.awaitCall(id, Duration.ofSeconds(3)).orElseThrow().answer("ok", false);
        assertEquals("0.002", resultsMessage(List.of(id), List.of("ok"), List.of(false)).get("total_cost_usd").toJson());

        process.getOutputStream().close();
        assertExits(0, Duration.ofSeconds(3));
    }

    @Test
    void aSessionClosedWhileTheCallIsHeldGivesTheNoAnswerError() throws Exception {
        startCli(session.path(), "go fake:mode=tools", true); // the config in a file, as the proxy gives it
        Node init = init();
        assertEquals("[{\"name\":\"proxy\",\"status\":\"connected\"}]", init.get("mcp_servers").toJson());
        List<String> ids = toolUseMessage(List.of("Bash")); // by default, the first tool listed
        session.awaitCall(ids.getFirst(), Duration.ofSeconds(3)).orElseThrow();
        session.close();
        resultsMessage(ids, List.of(McpBridge.NO_ANSWER), List.of(true));
        process.getOutputStream().close();
        assertExits(0, Duration.ofSeconds(3));
    }

    @Test
    void sigtermWhileACallIsHeldEndsTheProcessPromptly() throws Exception {
        startCli(session.path(), "go fake:mode=tools fake:calls=read");
        init();
        List<String> ids = toolUseMessage(List.of("read"));
        session.awaitCall(ids.getFirst(), Duration.ofSeconds(3)).orElseThrow();
        Thread.sleep(300); // reading the held response by now
        long t0 = System.nanoTime();
        process.destroy();
        assertExits(143, Duration.ofSeconds(2));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
        String line;
        while ((line = lines.poll(2, TimeUnit.SECONDS)) != null && !line.equals(EOF)) {
            assertFalse("result".equals(Node.parse(line).text("type")), "no result line after SIGTERM: " + line);
        }
    }

    @Test
    void aWrongPathReportsTheServerFailedAndTheTurnHasNoTools() throws Exception {
        startCli(McpBridge.PATH + "0123456789abcdef", "go fake:mode=tools fake:calls=Bash");
        Node init = init();
        assertEquals("[{\"name\":\"proxy\",\"status\":\"failed\"}]", init.get("mcp_servers").toJson());
        assertEquals(List.of(), init.get("tools").elements());
        List<Node> msg = upTo("result");
        assertTrue(events(msg).stream().noneMatch(e -> "tool_use".equals(e.get("content_block").text("type"))));
        assertEquals("No tools", msg.getLast().text("result"));
        assertEquals("success", msg.getLast().text("subtype"));
        process.getOutputStream().close();
        assertExits(0, Duration.ofSeconds(3));
    }

    @Test
    void mcpFailReportsTheServerFailedAlthoughItWorks() throws Exception {
        startCli(session.path(), "go fake:mode=tools fake:mcp=fail");
        Node init = init();
        assertEquals("[{\"name\":\"proxy\",\"status\":\"failed\"}]", init.get("mcp_servers").toJson());
        assertEquals("No tools", upTo("result").getLast().text("result"));
        process.getOutputStream().close();
        assertExits(0, Duration.ofSeconds(3));
    }
}
