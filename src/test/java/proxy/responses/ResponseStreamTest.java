package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import proxy.Golden;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.ReplyEvent.ThinkingDelta;
import proxy.chat.ReplyEvent.ToolInputDelta;
import proxy.chat.ReplySink;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Node;

/**
 * {@link ResponseStream} over a real loopback exchange, read back with the JDK client: whole
 * transcripts compared with goldens in {@code src/test/resources/responses-golden} (rewrite
 * with {@code -Dgolden.update=true} and review the diff), each stream checked by
 * {@link StrictResponsesStream}, and its last response compared with the body
 * ({@link ResponseOutput} and {@link ResponseJson}) of the same reply. The reply scripts here
 * are shared with {@link ResponseBodyTest}.
 */
class ResponseStreamTest {

    static final String ID = "resp_test";
    static final long CREATED = 1_700_000_000L;
    static final String MODEL = "gpt-5-codex";
    static final ResponseEcho NO_ECHO = new ResponseEcho(Map.of());
    static final Map<String, FunctionName> FUNCTIONS = Map.of(
            "get_weather", new FunctionName(Optional.empty(), "get_weather"),
            "crm__lookup", new FunctionName(Optional.of("crm"), "lookup"));

    static final ReplyEvent STARTED = new ReplyEvent.Started("claude-sonnet-4-5", new Usage(10, 1, 2, 3));
    static final Usage USAGE = new Usage(10, 5, 2, 3);

    static ReplyEvent finished(StopReason reason) {
        return new ReplyEvent.Finished(reason, Optional.empty(), USAGE);
    }

    static final List<ReplyEvent> TEXT = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Hel"), new TextDelta(0, "lo \"you\""),
            new BlockStopped(0), finished(StopReason.END_TURN));

    static final List<ReplyEvent> THINKING = List.of(STARTED,
            new BlockStarted(0, new Block.Thinking()), new ThinkingDelta(0, "The user greets. "),
            new ThinkingDelta(0, "Greet back."), new ReplyEvent.SignatureDelta(0, "sig-1"), new BlockStopped(0),
            new BlockStarted(1, new Block.Text()), new TextDelta(1, "Hi!"), new BlockStopped(1),
            finished(StopReason.END_TURN));

    /** Text, then one call whose arguments come in pieces, the first empty. */
    static final List<ReplyEvent> CALL = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Checking."), new BlockStopped(0),
            new BlockStarted(1, new Block.ToolCall("toolu_01A", "get_weather")), new ToolInputDelta(1, ""),
            new ToolInputDelta(1, "{\"city\": "), new ToolInputDelta(1, "\"Paris\"}"), new BlockStopped(1),
            finished(StopReason.TOOL_USE));

    /** Two calls in one reply, the second without arguments. */
    static final List<ReplyEvent> PARALLEL = List.of(STARTED,
            new BlockStarted(0, new Block.ToolCall("toolu_01A", "get_weather")),
            new ToolInputDelta(0, "{\"city\":\"Paris\"}"), new BlockStopped(0),
            new BlockStarted(1, new Block.ToolCall("toolu_01B", "now")), new BlockStopped(1),
            finished(StopReason.TOOL_USE));

    static final List<ReplyEvent> MAX_TOKENS = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Once upon a"), new BlockStopped(0),
            finished(StopReason.MAX_TOKENS));

    /** The CLI fails after text started: the open message ends incomplete. */
    static final List<ReplyEvent> FAILED = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Let me"),
            new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The CLI exited with status 1"));

    static final List<ReplyEvent> NAMESPACED = List.of(STARTED,
            new BlockStarted(0, new Block.ToolCall("toolu_01C", "crm__lookup")),
            new ToolInputDelta(0, "{\"id\":7}"), new BlockStopped(0), finished(StopReason.TOOL_USE));

    /** Agent mode: the CLI's own tool between two texts, which stay one message. */
    static final List<ReplyEvent> AGENT = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Running it."), new BlockStopped(0),
            new BlockStarted(1, new Block.CliToolCall("toolu_cli", "Bash")), new ToolInputDelta(1, "{\"command\":\"ls\"}"),
            new BlockStopped(1),
            new BlockStarted(2, new Block.Text()), new TextDelta(2, "Done."), new BlockStopped(2),
            finished(StopReason.END_TURN));

    /** The upstream stream broke inside a call; the CLI dropped it and answered anew. */
    static final List<ReplyEvent> ABANDONED = List.of(STARTED,
            new BlockStarted(0, new Block.Text()), new TextDelta(0, "Let me look."), new BlockStopped(0),
            new BlockStarted(1, new Block.ToolCall("toolu_01X", "get_weather")), new ToolInputDelta(1, "{\"ci"),
            new ReplyEvent.BlocksAbandoned(1),
            new BlockStarted(2, new Block.Text()), new TextDelta(2, "It is sunny."), new BlockStopped(2),
            finished(StopReason.END_TURN));

    private static final Path GOLDEN = Path.of("src/test/resources/responses-golden");
    private static final AtomicInteger PATHS = new AtomicInteger();
    private static HttpServer server;
    private static HttpClient client;

    /** What the handler was given to do with its stream. */
    interface Script {
        void run(ResponseStream stream) throws IOException;
    }

    /** The response the client received, and the stream after its handler finished. */
    record Run(HttpResponse<String> response, ResponseStream stream) {}

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop(0);
    }

    /**
     * Runs {@code script} on a stream in a handler, as the Responses handler will: a failure
     * before the stream opened is answered with a status (here 502 and no body).
     */
    static Run run(boolean summary, Script script) throws Exception {
        String path = "/r" + PATHS.incrementAndGet();
        AtomicReference<ResponseStream> seen = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        server.createContext(path, exchange -> {
            try (exchange) {
                ResponseStream stream = new ResponseStream(exchange, ID, CREATED, MODEL, NO_ECHO, FUNCTIONS, summary);
                try (stream) {
                    script.run(stream);
                }
                seen.set(stream);
                if (stream.failure().isPresent()) {
                    exchange.sendResponseHeaders(502, -1);
                }
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                handled.countDown();
            }
        });
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://"
                    + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(handled.await(20, TimeUnit.SECONDS), "the handler finished");
            if (thrown.get() != null) {
                throw new AssertionError("the handler failed", thrown.get());
            }
            return new Run(response, seen.get());
        } finally {
            server.removeContext(path);
        }
    }

    /** Feeds the events; the sink wants every one of them but no more after the last. */
    static void feed(ReplySink sink, List<ReplyEvent> events) throws IOException {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i < events.size() - 1, sink.accept(events.get(i)), "wants more after " + events.get(i));
        }
        sink.flush();
    }

    /** The body of the same reply: the response object a request without {@code stream} gets. */
    static Node body(boolean summary, List<ReplyEvent> events) throws IOException {
        ResponseOutput output = new ResponseOutput(ID, FUNCTIONS, summary);
        feed(output, events);
        return Node.parse(new String(new ResponseJson(ID, CREATED, MODEL, NO_ECHO).render(output), StandardCharsets.UTF_8));
    }

    /**
     * Streams {@code events}, compares the transcript with its golden, checks it strictly, and
     * checks that the last event's response is the stream's own {@code response()} and, unless
     * the reply abandoned blocks, the body of the same reply.
     */
    private static StrictResponsesStream.Result golden(String name, boolean summary, List<ReplyEvent> events) throws Exception {
        Run run = run(summary, s -> feed(s, events));
        assertEquals(200, run.response().statusCode());
        Golden.check(GOLDEN.resolve(name + ".stream.txt"), Golden.transcript(run.response()));
        StrictResponsesStream.Result result = StrictResponsesStream.parse(run.response().body());
        assertEquals(result.response(), Node.parse(new String(run.stream().response(), StandardCharsets.UTF_8)),
                "response() is what the last event carried");
        if (events.stream().noneMatch(e -> e instanceof ReplyEvent.BlocksAbandoned)) {
            assertEquals(body(summary, events), result.response(), "the stream ends with the body of the same reply");
        }
        return result;
    }

    @Test
    void text() throws Exception {
        StrictResponsesStream.Result r = golden("text", false, TEXT);
        assertEquals("completed", r.status());
        assertEquals(1, r.output().size());
        assertEquals("Hello \"you\"", r.output().get(0).get("content").elements().get(0).text("text"));
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed"), r.types());
    }

    @Test
    void thinkingWithSummary() throws Exception {
        StrictResponsesStream.Result r = golden("thinking-summary", true, THINKING);
        assertEquals(List.of("reasoning", "message"), r.output().stream().map(i -> i.text("type")).toList());
        assertEquals("The user greets. Greet back.", r.output().get(0).get("summary").elements().get(0).text("text"));
        assertEquals(2, r.types().stream().filter("response.reasoning_summary_text.delta"::equals).count());
    }

    /** Without a summary asked for, thinking shows nowhere: no reasoning item, no text of it. */
    @Test
    void thinkingWithoutSummaryIsNotShown() throws Exception {
        Run run = run(false, s -> feed(s, THINKING));
        StrictResponsesStream.Result r = StrictResponsesStream.parse(run.response().body());
        assertEquals(List.of("message"), r.output().stream().map(i -> i.text("type")).toList());
        assertFalse(run.response().body().contains("greets"), "the thinking text is not sent");
        assertFalse(run.response().body().contains("reasoning_summary"), run.response().body());
        assertEquals("msg_test_0", r.output().get(0).text("id"), "output indexes count shown items only");
    }

    @Test
    void functionCall() throws Exception {
        StrictResponsesStream.Result r = golden("function-call", false, CALL);
        assertEquals("completed", r.status());
        Node call = r.output().get(1);
        assertEquals("function_call", call.text("type"));
        assertEquals("toolu_01A", call.text("call_id"));
        assertEquals("get_weather", call.text("name"));
        assertEquals("{\"city\": \"Paris\"}", call.text("arguments"));
        assertFalse(call.has("namespace"));
        assertEquals(2, r.types().stream().filter("response.function_call_arguments.delta"::equals).count(),
                "empty fragments are not sent");
    }

    @Test
    void parallelCalls() throws Exception {
        StrictResponsesStream.Result r = golden("parallel-calls", false, PARALLEL);
        assertEquals(List.of("toolu_01A", "toolu_01B"), r.output().stream().map(i -> i.text("call_id")).toList());
        assertEquals(List.of("fc_test_0", "fc_test_1"), r.output().stream().map(i -> i.text("id")).toList());
        assertEquals(List.of("{\"city\":\"Paris\"}", "{}"), r.output().stream().map(i -> i.text("arguments")).toList());
        assertEquals(List.of("get_weather", "now"), r.output().stream().map(i -> i.text("name")).toList(),
                "a name the request did not offer passes as is");
    }

    @Test
    void maxOutputTokens() throws Exception {
        StrictResponsesStream.Result r = golden("max-tokens", false, MAX_TOKENS);
        assertEquals("incomplete", r.status());
        assertEquals("max_output_tokens", r.response().get("incomplete_details").text("reason"));
        assertEquals("incomplete", r.output().get(0).text("status"), "the message cut short is incomplete");
        assertEquals("response.incomplete", r.types().get(r.types().size() - 1));
    }

    /** A failure before anything was sent opens no stream: the handler answers it with a status. */
    @Test
    void failureBeforeTheFirstEventIsNotStreamed() throws Exception {
        ReplyEvent.Failed failed = new ReplyEvent.Failed(ErrorKind.RATE_LIMITED, "Rate limited");
        Run run = run(false, s -> assertFalse(s.accept(failed)));
        assertEquals(502, run.response().statusCode());
        assertEquals("", run.response().body());
        assertEquals(Optional.of(failed), run.stream().failure());
    }

    @Test
    void failureAfterTheStart() throws Exception {
        StrictResponsesStream.Result r = golden("failed", false, FAILED);
        assertEquals("failed", r.status());
        assertEquals("server_error", r.response().get("error").text("code"));
        assertEquals("The CLI exited with status 1", r.response().get("error").text("message"));
        assertEquals("incomplete", r.output().get(0).text("status"));
        assertTrue(r.usage().isNull());
    }

    @Test
    void namespacedCall() throws Exception {
        StrictResponsesStream.Result r = golden("namespaced-call", false, NAMESPACED);
        Node call = r.output().get(0);
        assertEquals("lookup", call.text("name"));
        assertEquals("crm", call.text("namespace"));
        assertEquals("toolu_01C", call.text("call_id"));
    }

    /**
     * A reply slow to start: the first keep-alive opens the stream with {@code response.created}
     * and {@code response.in_progress} at once (Codex waits for the former), the reply's start
     * sends them no second time, and later keep-alives are comments.
     */
    @Test
    void keepAliveBeforeTheFirstEvent() throws Exception {
        Run run = run(false, s -> {
            assertTrue(s.quiet());
            assertTrue(s.quiet());
            for (ReplyEvent e : TEXT.subList(0, 3)) {
                assertTrue(s.accept(e));
            }
            assertTrue(s.quiet());
            for (ReplyEvent e : TEXT.subList(3, TEXT.size())) {
                s.accept(e);
            }
            assertFalse(s.quiet(), "nothing more after the end");
        });
        Golden.check(GOLDEN.resolve("keep-alive.stream.txt"), Golden.transcript(run.response()));
        StrictResponsesStream.Result r = StrictResponsesStream.parse(run.response().body());
        assertEquals(1, r.types().stream().filter("response.created"::equals).count());
        assertTrue(run.response().body().startsWith("event: response.created\n"), "response.created comes first");
        assertEquals(2, run.response().body().split("\n: keepalive\n", -1).length - 1, "the later keep-alives are comments");
    }

    /** A failure after the keep-alive opened the stream is a {@code response.failed}, not a status. */
    @Test
    void failureAfterAKeepAliveIsStreamed() throws Exception {
        Run run = run(false, s -> {
            assertTrue(s.quiet());
            assertFalse(s.accept(new ReplyEvent.Failed(ErrorKind.TIMEOUT, "The CLI timed out")));
        });
        assertEquals(200, run.response().statusCode());
        assertEquals(Optional.empty(), run.stream().failure());
        StrictResponsesStream.Result r = StrictResponsesStream.parse(run.response().body());
        assertEquals(List.of("response.created", "response.in_progress", "response.failed"), r.types());
        assertEquals("The CLI timed out", r.response().get("error").text("message"));
    }

    @Test
    void cliToolCallsLeaveTextOneMessage() throws Exception {
        StrictResponsesStream.Result r = golden("agent", false, AGENT);
        assertEquals(1, r.output().size());
        assertEquals("Running it.\n\nDone.", r.output().get(0).get("content").elements().get(0).text("text"));
        assertFalse(r.response().toString().contains("Bash"), "the CLI's own call is not shown");
    }

    /**
     * Blocks the CLI abandoned were already sent: the stream closes the open call incomplete and
     * shows the retried answer as new items; the turn for the store has only the answer that stands.
     */
    @Test
    void abandonedBlocksStayShownButLeaveTheTurn() throws Exception {
        Run run = run(false, s -> feed(s, ABANDONED));
        Golden.check(GOLDEN.resolve("abandoned.stream.txt"), Golden.transcript(run.response()));
        StrictResponsesStream.Result r = StrictResponsesStream.parse(run.response().body());
        assertEquals(List.of("message", "function_call", "message"), r.output().stream().map(i -> i.text("type")).toList());
        assertEquals("incomplete", r.output().get(1).text("status"));
        assertEquals("{\"ci", r.output().get(1).text("arguments"));
        assertEquals("completed", r.status());
        assertEquals(List.of(new proxy.chat.Part.Text("Let me look.\n\nIt is sunny.")), run.stream().output().turn().parts());
    }

    /** A stream whose reply stopped without an end (an engine bug) still ends with one terminal event. */
    @Test
    void closingAnOpenStreamEndsItFailed() throws Exception {
        Run run = run(false, s -> {
            for (ReplyEvent e : CALL.subList(0, 6)) {
                assertTrue(s.accept(e));
            }
        });
        StrictResponsesStream.Result r = StrictResponsesStream.parse(run.response().body());
        assertEquals("failed", r.status());
        assertEquals("server_error", r.response().get("error").text("code"));
        assertEquals(List.of("completed", "incomplete"), r.output().stream().map(i -> i.text("status")).toList());
    }

    @Test
    void eventsAfterTheEndAreRefused() throws Exception {
        Run run = run(false, s -> {
            feed(s, TEXT);
            assertFalse(s.accept(new BlockStarted(1, new Block.Text())));
            assertFalse(s.accept(finished(StopReason.END_TURN)));
        });
        assertEquals(1, StrictResponsesStream.parse(run.response().body()).output().size());
    }

    // ---- the checker itself: each rule it states rejects a stream that breaks it

    /** The text stream's frames (without the HTTP head), changed by {@code change}, checked. */
    private static void rejects(String rule, UnaryOperator<List<String>> change) throws Exception {
        Run run = run(false, s -> feed(s, CALL));
        List<String> frames = new ArrayList<>(List.of(run.response().body().split("\n\n")));
        StrictResponsesStream.parse(String.join("\n\n", frames) + "\n\n"); // unchanged, it passes
        String changed = String.join("\n\n", change.apply(frames)) + "\n\n";
        assertThrows(AssertionFailedError.class, () -> StrictResponsesStream.parse(changed), rule);
    }

    private static List<String> replace(List<String> frames, String type, String from, String to) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).startsWith("event: " + type + "\n")) {
                frames.set(i, frames.get(i).replace(from, to));
                return frames;
            }
        }
        throw new AssertionError("no " + type);
    }

    private static List<String> remove(List<String> frames, String type) {
        frames.removeIf(f -> f.startsWith("event: " + type + "\n"));
        return frames;
    }

    @Test
    void theCheckerRejectsBrokenStreams() throws Exception {
        rejects("response.created first", f -> remove(f, "response.created"));
        rejects("sequence numbers in order", f -> replace(f, "response.output_text.delta", "\"sequence_number\":4", "\"sequence_number\":40"));
        rejects("event: is the type", f -> replace(f, "response.output_text.delta", "event: response.output_text.delta", "event: delta"));
        rejects("text deltas make the done text", f -> replace(f, "response.output_text.done", "\"text\":\"Checking.\"", "\"text\":\"Check\""));
        rejects("argument deltas make the done arguments", f -> replace(f, "response.function_call_arguments.done", "Paris", "Lyon"));
        rejects("a part is added before its deltas", f -> remove(f, "response.content_part.added"));
        rejects("an item is added at the next index", f -> replace(f, "response.output_item.added", "\"output_index\":0", "\"output_index\":1"));
        rejects("item_id names the item", f -> replace(f, "response.output_text.delta", "msg_test_0", "msg_other"));
        rejects("every item is done", f -> remove(f, "response.output_item.done"));
        rejects("the output is the done items", f -> replace(f, "response.completed", "\"call_id\":\"toolu_01A\"", "\"call_id\":\"toolu_09\""));
        rejects("one terminal event", f -> {
            f.add(f.get(f.size() - 1));
            return f;
        });
        rejects("no [DONE]", f -> {
            f.add("event: done\ndata: [DONE]");
            return f;
        });
    }
}
