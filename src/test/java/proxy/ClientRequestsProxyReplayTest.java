package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.ToolReplies.Api;
import proxy.ToolReplies.Call;
import proxy.ToolReplies.Reply;
import proxy.json.Node;

/**
 * Every Chat Completions and Messages request captured from a real client
 * ({@code src/test/resources/client-requests/<client>/<case>.json}, each
 * {@code {seq, ts, method, path, query, headers, body}}) sent to the proxy as the client sent it
 * (its body byte for byte as stored, to its path and query) with the fake CLI calling tools
 * ({@code FAKE_CLAUDE_MODE=tools}: the first tool the proxy serves). Each is answered 200 with a
 * well-formed stream or body; one that offers tools (and does not say {@code none}) gets a call
 * of one of them under the client's own name. Before client tools the proxy refused most of
 * them with a 400 (the folder's {@code proxy-result.txt}).
 */
class ClientRequestsProxyReplayTest {

    private static final Path DIR = ClientCaptures.DIR;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "tools"), "--warm", "0");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The captures of Chat Completions and Messages requests (not count_tokens, not Responses), by file under {@link #DIR}. */
    static List<String> captures() throws IOException {
        return ClientCaptures.files(path -> path.equals("/v1/chat/completions")
                || path.startsWith("/v1/messages") && !path.contains("count_tokens"));
    }

    private static ClientCaptures.Capture read(Path file) {
        return ClientCaptures.read(file);
    }

    @Test
    void theCapturesAreFound() throws IOException {
        List<String> all = captures();
        assertTrue(all.containsAll(List.of("claude-code/messages-01-first-turn.json", "continue-cli/chat-01-first-turn.json",
                "openai-agents-js/chat-03-stream.json", "opencode/anthropic-02-first-turn.json",
                "python-sdks/oa-chat-legacy-functions.json", "python-sdks/an-tool_choice-none.json")), all.toString());
        assertFalse(all.stream().anyMatch(f -> f.contains("count_tokens") || f.contains("resp")), all.toString());
        assertTrue(all.size() >= 35, all.size() + ": " + all);
        // the body text is the stored one, whole
        ClientCaptures.Capture c = read(DIR.resolve("python-sdks/an-tool_choice-none.json"));
        assertEquals(Node.parse(Files.readString(DIR.resolve("python-sdks/an-tool_choice-none.json"))).get("body"),
                Node.parse(c.body()));
        assertTrue(c.body().startsWith("{") && c.body().endsWith("}"), c.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void answeredWithACallOfAnOfferedTool(String file) throws Exception {
        try {
            replay(file);
        } catch (AssertionError e) { // surefire names a parameterized case by its index: say which file
            throw new AssertionError(file + ": " + e.getMessage(), e);
        }
    }

    private static void replay(String file) throws Exception {
        ClientCaptures.Capture c = read(DIR.resolve(file));
        Api api = c.path().equals("/v1/chat/completions") ? Api.OPENAI : Api.ANTHROPIC;
        String uri = c.path() + (c.query().isEmpty() ? "" : "?" + c.query());
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri(uri))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body().getBytes(StandardCharsets.UTF_8))).build());
        assertEquals(200, r.statusCode(), r.body());

        Node body = Node.parse(c.body());
        boolean stream = body.get("stream").isTrue();
        assertEquals(stream ? "text/event-stream" : "application/json",
                r.headers().firstValue("content-type").orElse("").replaceAll(";.*", ""));
        Reply reply = api.read(r.body(), stream, body.get("stream_options").get("include_usage").isTrue());

        List<String> offered = offered(api, body);
        if (offered.isEmpty() || choiceIsNone(api, body)) {
            assertEquals(List.of(), reply.calls(), reply.toString());
            assertFalse(reply.text().isEmpty(), "a text answer: " + reply);
            return;
        }
        assertFalse(reply.calls().isEmpty(), "a call of one of " + offered + ": " + reply);
        assertTrue(reply.toolStop(), reply.toString());
        for (Call call : reply.calls()) {
            assertTrue(offered.contains(call.name()), "the client's own name, one of " + offered + ": " + call.name());
            assertNotNull(Node.parse(call.arguments()));
            if (!body.has("functions")) {
                assertTrue(call.id() != null && !call.id().isEmpty(), "a call id: " + call);
            }
        }
        String named = named(api, body);
        if (named != null) {
            assertEquals(List.of(named), reply.calls().stream().map(Call::name).distinct().toList(), "the named tool");
        }
    }

    /** The names of the client's tools: OpenAI {@code tools[].function.name} or legacy {@code functions[].name}, Anthropic {@code tools[].name}. */
    private static List<String> offered(Api api, Node body) {
        List<String> names = new ArrayList<>();
        for (Node t : body.get("tools").elements()) {
            String name = api == Api.OPENAI ? t.get("function").text("name") : t.text("name");
            if (name != null) {
                names.add(name);
            }
        }
        for (Node f : body.get("functions").elements()) {
            names.add(f.text("name"));
        }
        return names;
    }

    private static boolean choiceIsNone(Api api, Node body) {
        if (api == Api.OPENAI) {
            return "none".equals(body.get("tool_choice").text()) || "none".equals(body.get("function_call").text());
        }
        return "none".equals(body.get("tool_choice").text("type"));
    }

    /** The tool a named tool_choice asks for, else null. */
    private static String named(Api api, Node body) {
        Node choice = body.get("tool_choice");
        if (api == Api.OPENAI) {
            String name = choice.get("function").text("name");
            return name != null ? name : body.get("function_call").text("name");
        }
        return "tool".equals(choice.text("type")) ? choice.text("name") : null;
    }
}
