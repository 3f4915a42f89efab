package proxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import proxy.anthropic.StrictAnthropicStream.Message;
import proxy.anthropic.StrictAnthropicStream.Text;
import proxy.anthropic.StrictAnthropicStream.ToolUse;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Node;

/**
 * A reply in which the model calls the client's tools ({@link Block.ToolCall}), as a stream and
 * as one body: {@code tool_use} blocks under the client's names, the arguments as
 * {@code input_json_delta} fragments (stream) or the parsed object (body), and
 * {@code stop_reason: "tool_use"}. The stream runs on a loopback server, so the SSE is what a
 * client reads.
 */
class ClientToolCallReplyTest {

    private static final Usage START = new Usage(40, 1, 0, 0);
    private static final Usage END = new Usage(40, 31, 0, 0);

    private static HttpServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        client.close();
    }

    /** Text, then two calls whose arguments come in fragments (the first one empty, as the API sends it). */
    private static List<ReplyEvent> twoCalls() {
        return List.of(
                new ReplyEvent.Started("claude-opus-5-5", START),
                new ReplyEvent.BlockStarted(0, new Block.Text()),
                new ReplyEvent.TextDelta(0, "Checking both."),
                new ReplyEvent.BlockStopped(0),
                new ReplyEvent.BlockStarted(1, new Block.ToolCall("toolu_01A", "get_weather")),
                new ReplyEvent.ToolInputDelta(1, ""),
                new ReplyEvent.ToolInputDelta(1, "{\"location\": \"Bos"),
                new ReplyEvent.ToolInputDelta(1, "ton, MA\"}"),
                new ReplyEvent.BlockStopped(1),
                new ReplyEvent.BlockStarted(2, new Block.ToolCall("toolu_01B", "get_weather")),
                new ReplyEvent.ToolInputDelta(2, "{\"location\":"),
                new ReplyEvent.ToolInputDelta(2, "\"Paris\",\"unit\":\"celsius\"}"),
                new ReplyEvent.BlockStopped(2),
                new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), END));
    }

    /** The SSE a client reads when {@link MessagesStream} is fed {@code reply}, as the engine feeds it. */
    private static String stream(List<ReplyEvent> reply) throws Exception {
        String path = "/" + UUID.randomUUID();
        server.createContext(path, exchange -> {
            try (exchange; MessagesStream stream = new MessagesStream(exchange, "msg_0123456789abcdef01234567", "opus")) {
                for (ReplyEvent e : reply) {
                    if (!stream.accept(e)) {
                        break;
                    }
                }
                stream.flush();
            }
        });
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://"
                    + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        } finally {
            server.removeContext(path);
        }
    }

    private static Node body(List<ReplyEvent> reply) throws IOException {
        MessageBody body = new MessageBody();
        for (ReplyEvent e : reply) {
            if (!body.accept(e)) {
                break;
            }
        }
        assertFalse(body.failure().isPresent());
        return Node.parse(new String(body.json("msg_0123456789abcdef01234567", "opus"), StandardCharsets.UTF_8));
    }

    @Test
    void streamedCallsAreToolUseBlocks() throws Exception {
        String sse = stream(twoCalls());

        Message m = StrictAnthropicStream.parse(sse);
        assertEquals(List.of(new Text("Checking both."),
                new ToolUse("toolu_01A", "get_weather", "{\"location\": \"Boston, MA\"}"),
                new ToolUse("toolu_01B", "get_weather", "{\"location\":\"Paris\",\"unit\":\"celsius\"}")), m.content());
        assertEquals("tool_use", m.stopReason());
        assertEquals(null, m.stopSequence());
        assertEquals(31, m.outputTokens());
    }

    /** The whole transcript, so that a change in any frame shows. */
    @Test
    void streamedCallsAsText() throws Exception {
        assertEquals("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_0123456789abcdef01234567","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":40,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking both."}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\": \\"Bos"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ton, MA\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: content_block_start
                data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\",\\"unit\\":\\"celsius\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":2}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":40,"output_tokens":31,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}

                event: message_stop
                data: {"type":"message_stop"}

                """, stream(twoCalls()));
    }

    @Test
    void aCallWithoutArgumentsStreamsAnEmptyObject() throws Exception {
        Message m = StrictAnthropicStream.parse(stream(List.of(
                new ReplyEvent.Started("claude-opus-5-5", START),
                new ReplyEvent.BlockStarted(0, new Block.ToolCall("toolu_01C", "get_time")),
                new ReplyEvent.BlockStopped(0),
                new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), END))));

        assertEquals(List.of(new ToolUse("toolu_01C", "get_time", "{}")), m.content());
        assertEquals("tool_use", m.stopReason());
    }

    @Test
    void bodyHoldsTheCallsWithParsedInput() throws IOException {
        Node m = body(twoCalls());

        assertEquals("""
                [{"type":"text","text":"Checking both."},\
                {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Boston, MA"}},\
                {"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"location":"Paris","unit":"celsius"}}]""",
                m.get("content").toJson());
        assertEquals("tool_use", m.text("stop_reason"));
        assertEquals("null", m.get("stop_sequence").toJson());
        assertEquals(31, m.get("usage").get("output_tokens").longValue(-1));
        assertEquals("claude-opus-5-5", m.text("model"));
    }

    @Test
    void bodyCallWithoutArgumentsHasAnEmptyObject() throws IOException {
        Node m = body(List.of(
                new ReplyEvent.Started("claude-opus-5-5", START),
                new ReplyEvent.BlockStarted(0, new Block.ToolCall("toolu_01C", "get_time")),
                new ReplyEvent.BlockStopped(0),
                new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), END)));

        assertEquals("[{\"type\":\"tool_use\",\"id\":\"toolu_01C\",\"name\":\"get_time\",\"input\":{}}]", m.get("content").toJson());
        assertEquals("tool_use", m.text("stop_reason"));
    }

    /**
     * Arguments cut short (max_tokens mid-call), not JSON, or JSON but not an object: the body
     * still goes out, with {@code input: {}}, never a 5xx for a reply the CLI did give.
     */
    @Test
    void bodyWithBrokenArgumentsStillAnswers() throws IOException {
        for (String args : List.of("{\"location\": \"Bos", "not json", "[1,2]", "\"text\"", "{\"a\":1} trailing", "   ")) {
            Node m = body(List.of(
                    new ReplyEvent.Started("claude-opus-5-5", START),
                    new ReplyEvent.BlockStarted(0, new Block.ToolCall("toolu_01D", "get_weather")),
                    new ReplyEvent.ToolInputDelta(0, args),
                    new ReplyEvent.BlockStopped(0),
                    new ReplyEvent.Finished(StopReason.MAX_TOKENS, Optional.empty(), END)));

            assertEquals("[{\"type\":\"tool_use\",\"id\":\"toolu_01D\",\"name\":\"get_weather\",\"input\":{}}]",
                    m.get("content").toJson(), args);
            assertEquals("max_tokens", m.text("stop_reason"), args);
        }
    }

    /** Calls the CLI abandoned (a broken upstream stream it retried) are not in the body; the retry's are. */
    @Test
    void bodyLeavesOutAbandonedCalls() throws IOException {
        Node m = body(List.of(
                new ReplyEvent.Started("claude-opus-5-5", START),
                new ReplyEvent.BlockStarted(0, new Block.ToolCall("toolu_old", "get_weather")),
                new ReplyEvent.ToolInputDelta(0, "{\"location\":\"Pa"),
                new ReplyEvent.BlocksAbandoned(0),
                new ReplyEvent.BlockStarted(1, new Block.ToolCall("toolu_new", "get_weather")),
                new ReplyEvent.ToolInputDelta(1, "{\"location\":\"Paris\"}"),
                new ReplyEvent.BlockStopped(1),
                new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), END)));

        assertEquals("[{\"type\":\"tool_use\",\"id\":\"toolu_new\",\"name\":\"get_weather\",\"input\":{\"location\":\"Paris\"}}]",
                m.get("content").toJson());
    }
}
