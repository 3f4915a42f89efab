package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static proxy.responses.ResponseStreamTest.ABANDONED;
import static proxy.responses.ResponseStreamTest.AGENT;
import static proxy.responses.ResponseStreamTest.CALL;
import static proxy.responses.ResponseStreamTest.CREATED;
import static proxy.responses.ResponseStreamTest.FAILED;
import static proxy.responses.ResponseStreamTest.FUNCTIONS;
import static proxy.responses.ResponseStreamTest.ID;
import static proxy.responses.ResponseStreamTest.MAX_TOKENS;
import static proxy.responses.ResponseStreamTest.MODEL;
import static proxy.responses.ResponseStreamTest.NAMESPACED;
import static proxy.responses.ResponseStreamTest.NO_ECHO;
import static proxy.responses.ResponseStreamTest.PARALLEL;
import static proxy.responses.ResponseStreamTest.STARTED;
import static proxy.responses.ResponseStreamTest.TEXT;
import static proxy.responses.ResponseStreamTest.THINKING;
import static proxy.responses.ResponseStreamTest.feed;
import static proxy.responses.ResponseStreamTest.finished;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.Golden;
import proxy.chat.ErrorKind;
import proxy.chat.Part;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.ReplyEvent.BlockStarted;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.StopReason;
import proxy.chat.Turn;
import proxy.json.Json;
import proxy.json.Node;

/**
 * The whole {@code response} object of a request without {@code stream} ({@link ResponseOutput}
 * as the sink, {@link ResponseJson} writing it), for the replies {@link ResponseStreamTest}
 * streams: goldens in {@code src/test/resources/responses-golden/*.body.json}, pretty-printed
 * for review (rewrite with {@code -Dgolden.update=true}); then usage, the repeated request
 * fields, statuses and errors, and the assistant turn kept for {@code previous_response_id}.
 */
class ResponseBodyTest {

    private static final Path GOLDEN = Path.of("src/test/resources/responses-golden");

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of("text", false, TEXT),
                Arguments.of("thinking-summary", true, THINKING),
                Arguments.of("thinking-no-summary", false, THINKING),
                Arguments.of("function-call", false, CALL),
                Arguments.of("parallel-calls", false, PARALLEL),
                Arguments.of("max-tokens", false, MAX_TOKENS),
                Arguments.of("failed", false, FAILED),
                Arguments.of("namespaced-call", false, NAMESPACED),
                Arguments.of("agent", false, AGENT),
                Arguments.of("abandoned", false, ABANDONED));
    }

    private static ResponseOutput output(boolean summary, List<ReplyEvent> events) throws IOException {
        ResponseOutput output = new ResponseOutput(ID, FUNCTIONS, summary);
        feed(output, events);
        return output;
    }

    private static Node json(ResponseOutput output, ResponseEcho echo) throws IOException {
        return Node.parse(new String(new ResponseJson(ID, CREATED, MODEL, echo).render(output), StandardCharsets.UTF_8));
    }

    private static Node body(List<ReplyEvent> events) throws IOException {
        return json(output(false, events), NO_ECHO);
    }

    private static String pretty(Node node) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            node.write(g);
        }
        return w + "\n";
    }

    @ParameterizedTest
    @MethodSource("replies")
    void golden(String name, boolean summary, List<ReplyEvent> events) throws IOException {
        Node body = json(output(summary, events), NO_ECHO);
        Golden.check(GOLDEN.resolve(name + ".body.json"), pretty(body));
        assertFalse(body.has("output_text"), "output_text is computed by the SDKs, not sent");
    }

    /** Input tokens count the cache reads and writes too; cache reads are also {@code cached_tokens}. */
    @Test
    void usage() throws IOException {
        Node usage = body(TEXT).get("usage"); // Usage(input 10, output 5, cache creation 2, cache read 3)
        assertEquals(15, usage.get("input_tokens").longValue(-1));
        assertEquals(3, usage.get("input_tokens_details").get("cached_tokens").longValue(-1));
        assertEquals(2, usage.get("input_tokens_details").get("cache_write_tokens").longValue(-1));
        assertEquals(5, usage.get("output_tokens").longValue(-1));
        assertEquals(0, usage.get("output_tokens_details").get("reasoning_tokens").longValue(-1));
        assertEquals(20, usage.get("total_tokens").longValue(-1));
    }

    @Test
    void inProgressHasNoUsage() throws IOException {
        ResponseOutput output = new ResponseOutput(ID, FUNCTIONS, false);
        assertTrue(output.accept(STARTED));
        assertTrue(output.accept(new BlockStarted(0, new Block.Text())));
        assertTrue(output.accept(new TextDelta(0, "Hi")));
        Node body = json(output, NO_ECHO);
        assertEquals("in_progress", body.text("status"));
        assertTrue(body.get("usage").isNull());
        assertEquals("in_progress", body.get("output").elements().get(0).text("status"));
    }

    @Test
    void echoDefaults() throws IOException {
        Node body = body(TEXT);
        Node defaults = StrictResponsesStream.json("""
                {"instructions":null,"max_output_tokens":null,"metadata":{},"parallel_tool_calls":true,
                "previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,
                "text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled",
                "user":null}""");
        for (String name : ResponseEcho.NAMES) {
            assertTrue(body.has(name), name);
            assertEquals(defaults.get(name), body.get(name), name);
        }
        assertEquals(ID, body.text("id"));
        assertEquals("response", body.text("object"));
        assertEquals(CREATED, body.get("created_at").longValue(-1));
        assertEquals(MODEL, body.text("model"), "the model as the client named it, not the CLI's");
    }

    @Test
    void echoedAsSent() throws IOException {
        Node sent = StrictResponsesStream.json("""
                {"instructions":"Be brief.","max_output_tokens":100,"metadata":{"k":"v"},"parallel_tool_calls":false,
                "previous_response_id":"resp_prev","reasoning":{"effort":"high","summary":"auto"},"store":false,
                "temperature":0.2,"text":{"format":{"type":"json_object"}},"tool_choice":"required",
                "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"},"strict":true}],
                "top_p":0.5,"truncation":"auto","user":null}""");
        Map<String, Node> fields = new LinkedHashMap<>();
        for (String name : ResponseEcho.NAMES) {
            fields.put(name, sent.get(name));
        }
        Node body = json(output(false, TEXT), new ResponseEcho(fields));
        for (String name : ResponseEcho.NAMES) {
            assertEquals(sent.get(name), body.get(name), name);
        }
    }

    @Test
    void thinkingWithoutSummaryIsNotShown() throws IOException {
        Node body = json(output(false, THINKING), NO_ECHO);
        assertEquals(1, body.get("output").elements().size());
        assertEquals("message", body.get("output").elements().get(0).text("type"));
        assertFalse(body.toString().contains("greets"), "the thinking text is not sent");
    }

    @Test
    void refusalIsIncompleteByContentFilter() throws IOException {
        Node body = body(List.of(STARTED, new BlockStarted(0, new Block.Text()), new TextDelta(0, "I can"),
                new BlockStopped(0), finished(StopReason.REFUSAL)));
        assertEquals("incomplete", body.text("status"));
        assertEquals("content_filter", body.get("incomplete_details").text("reason"));
    }

    @Test
    void stopSequenceAndPauseAreCompleted() throws IOException {
        for (StopReason reason : List.of(StopReason.STOP_SEQUENCE, StopReason.PAUSE_TURN, StopReason.END_TURN)) {
            Node body = body(List.of(STARTED, finished(reason)));
            assertEquals("completed", body.text("status"), reason.name());
            assertTrue(body.get("incomplete_details").isNull());
        }
    }

    @Test
    void failure() throws IOException {
        ResponseOutput output = output(false, FAILED);
        assertEquals(ErrorKind.BAD_GATEWAY, output.failure().orElseThrow().kind());
        Node body = json(output, NO_ECHO);
        assertEquals("failed", body.text("status"));
        assertEquals("server_error", body.get("error").get("code").text());
        assertTrue(body.get("usage").isNull());
        assertEquals("Let me", body.get("output").elements().get(0).get("content").elements().get(0).text("text"));
    }

    /** Error codes come from the SDKs' list; a rate limit tells its wait the way Codex reads it. */
    @Test
    void errorCodes() {
        assertEquals("rate_limit_exceeded", ResponseJson.errorCode(ErrorKind.RATE_LIMITED));
        assertEquals("invalid_prompt", ResponseJson.errorCode(ErrorKind.INVALID_REQUEST));
        assertEquals("server_error", ResponseJson.errorCode(ErrorKind.OVERLOADED));
        for (ErrorKind kind : ErrorKind.values()) {
            assertTrue(Set.of("server_error", "rate_limit_exceeded", "invalid_prompt").contains(ResponseJson.errorCode(kind)),
                    kind.name());
        }
        assertEquals("Rate limited. Please try again in 20s.", ResponseJson.errorMessage(
                new ReplyEvent.Failed(ErrorKind.RATE_LIMITED, "Rate limited", Optional.of(Duration.ofMillis(19_200)))));
        assertEquals("Slow down.", ResponseJson.errorMessage(new ReplyEvent.Failed(ErrorKind.RATE_LIMITED, "Slow down.")));
    }

    @Test
    void itemIdsFollowTheOutputIndex() throws IOException {
        List<Node> items = body(CALL).get("output").elements();
        assertEquals(List.of("msg_test_0", "fc_test_1"), items.stream().map(i -> i.text("id")).toList());
    }

    /** Abandoned blocks are left out of a body; the text before them and the retried answer are one message. */
    @Test
    void abandonedBlocksAreLeftOut() throws IOException {
        List<Node> items = body(ABANDONED).get("output").elements();
        assertEquals(1, items.size());
        assertEquals("Let me look.\n\nIt is sunny.", items.get(0).get("content").elements().get(0).text("text"));
        assertEquals("completed", items.get(0).text("status"));
    }

    /** A text block that joined a message, then was abandoned, leaves the message as it was before it. */
    @Test
    void abandonedTextIsCutFromItsMessage() throws IOException {
        Node body = body(List.of(STARTED,
                new BlockStarted(0, new Block.Text()), new TextDelta(0, "A"), new BlockStopped(0),
                new BlockStarted(1, new Block.Text()), new TextDelta(1, "B is"),
                new ReplyEvent.BlocksAbandoned(1),
                new BlockStarted(2, new Block.Text()), new TextDelta(2, "C"), new BlockStopped(2),
                finished(StopReason.END_TURN)));
        assertEquals("A\n\nC", body.get("output").elements().get(0).get("content").elements().get(0).text("text"));
    }

    @Test
    void turnOfTextAndCall() throws IOException {
        assertEquals(new Turn(Turn.Role.ASSISTANT, List.of(new Part.Text("Checking."),
                new Part.ToolCall("toolu_01A", "get_weather", "{\"city\": \"Paris\"}"))), output(false, CALL).turn());
    }

    @Test
    void turnKeepsFlatNamesAndFillsEmptyArguments() throws IOException {
        assertEquals(List.of(new Part.ToolCall("toolu_01C", "crm__lookup", "{\"id\":7}")), output(false, NAMESPACED).turn().parts());
        assertEquals(List.of(new Part.ToolCall("toolu_01A", "get_weather", "{\"city\":\"Paris\"}"),
                new Part.ToolCall("toolu_01B", "now", "{}")), output(false, PARALLEL).turn().parts());
    }

    /** Signed thinking goes back to the CLI whether or not the client saw a summary of it. */
    @Test
    void turnKeepsSignedThinking() throws IOException {
        List<Part> expected = List.of(new Part.Thinking("The user greets. Greet back.", "sig-1"), new Part.Text("Hi!"));
        assertEquals(expected, output(false, THINKING).turn().parts());
        assertEquals(expected, output(true, THINKING).turn().parts());
    }

    @Test
    void turnLeavesOutCliCallsAndAbandonedBlocks() throws IOException {
        assertEquals(List.of(new Part.Text("Running it.\n\nDone.")), output(false, AGENT).turn().parts());
        assertEquals(List.of(new Part.Text("Let me look.\n\nIt is sunny.")), output(false, ABANDONED).turn().parts());
    }

    @Test
    void eventsAfterTheEndAreRefused() throws IOException {
        ResponseOutput output = output(false, TEXT);
        assertFalse(output.accept(new BlockStarted(1, new Block.Text())));
        assertFalse(output.accept(new ReplyEvent.Failed(ErrorKind.INTERNAL, "late")));
        assertEquals("completed", output.status().wireName());
        assertEquals(1, output.items().size());
    }
}
