package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.ToolReplies.Api;
import proxy.ToolReplies.Call;
import proxy.ToolReplies.Reply;
import proxy.ToolReplies.Result;
import proxy.json.Node;

/**
 * Client tools end to end on both APIs against the fake CLI in {@code mode=tools}: a reply ending
 * in client tool calls holds its CLI, and the request bringing the results continues it on the
 * same process (the fake's turnlog shows one pid); anything else runs on a fresh process and the
 * held one is ended: a follow-up that does not answer exactly, the hold window passing, the
 * client going away.
 */
class ClientToolsApiTest {

    /** The fake's tool_use ids: {@code toolu_fake_<pid>_<turn>_<k>}. */
    private static final Pattern FAKE_ID = Pattern.compile("toolu_fake_(\\d+)_(\\d+)_(\\d+)");

    private static TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of(), "--warm", "0");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> apisAndStreaming() {
        return Stream.of(Arguments.of(Api.OPENAI, true), Arguments.of(Api.OPENAI, false),
                Arguments.of(Api.ANTHROPIC, true), Arguments.of(Api.ANTHROPIC, false));
    }

    static Stream<Api> apis() {
        return Stream.of(Api.values());
    }

    private static HttpResponse<String> post(TestServer s, Api api, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(api.path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (api == Api.ANTHROPIC) {
            b.header("anthropic-version", "2023-06-01");
        }
        return s.send(b.build());
    }

    /** Sends a request and reads its 200 reply strictly. */
    private static Reply send(TestServer s, Api api, boolean stream, String body) throws Exception {
        HttpResponse<String> r = post(s, api, body);
        assertEquals(200, r.statusCode(), r.body());
        return api.read(r.body(), stream, false);
    }

    private static String stopped(Api api) {
        return api == Api.OPENAI ? "tool_calls" : "tool_use";
    }

    private static String ended(Api api) {
        return api == Api.OPENAI ? "stop" : "end_turn";
    }

    /** The pid of the fake CLI that made the call {@code id}. */
    private static long pidOf(String id) {
        Matcher m = FAKE_ID.matcher(id);
        assertTrue(m.matches(), "a fake CLI tool_use id passed through: " + id);
        return Long.parseLong(m.group(1));
    }

    /** The pids of the fake's turnlog, one per turn, in order. */
    private static List<Long> turnPids(Path turnlog) throws IOException {
        return Files.readAllLines(turnlog).stream().map(l -> {
            Matcher m = Pattern.compile("pid (\\d+) turn \\d+").matcher(l);
            assertTrue(m.matches(), l);
            return Long.parseLong(m.group(1));
        }).toList();
    }

    private static void assertEnds(long pid) {
        Processes.waitUntil(() -> !Processes.running(pid), Duration.ofSeconds(5));
        assertFalse(Processes.running(pid), "the held CLI " + pid + " has ended");
    }

    /** A first request whose reply calls {@code Bash} then {@code read}; checks that reply. */
    private record Started(List<String> tools, String user, Reply reply, long pid) {
    }

    private Started callBoth(TestServer s, Api api, boolean stream, String knobs) throws Exception {
        List<String> tools = List.of(api.tool("Bash"), api.tool("read"));
        String user = api.user("Run both tools fake:mode=tools fake:calls=Bash+read " + knobs);
        Reply reply = send(s, api, stream, api.request(stream, tools, null, List.of(user)));
        assertEquals(stopped(api), reply.finish(), reply.toString());
        assertEquals(List.of("Bash", "read"), reply.calls().stream().map(Call::name).toList(), reply.toString());
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), reply.calls().stream().map(Call::arguments).toList(), reply.toString());
        long pid = pidOf(reply.calls().get(0).id());
        assertEquals(List.of("toolu_fake_" + pid + "_1_1", "toolu_fake_" + pid + "_1_2"),
                reply.calls().stream().map(Call::id).toList());
        assertTrue(Processes.running(pid), "the CLI waits for the results");
        return new Started(tools, user, reply, pid);
    }

    private static List<Result> results(Api api, Reply reply, String first, String second) {
        return List.of(new Result(reply.calls().get(0).id(), first, false),
                new Result(reply.calls().get(1).id(), second, api == Api.ANTHROPIC));
    }

    private static List<String> history(Api api, Started s, List<Result> results, String extraText) {
        List<String> messages = new ArrayList<>(List.of(s.user(), api.echo(s.reply())));
        messages.addAll(api.results(results, extraText));
        return messages;
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("apisAndStreaming")
    void resultsContinueTheHeldProcess(Api api, boolean stream) throws Exception {
        Path turnlog = tmp.resolve("turns");
        Started s = callBoth(server, api, stream, "fake:turnlog=" + turnlog);
        assertEquals(List.of(s.pid()), turnPids(turnlog));

        List<Result> results = results(api, s.reply(), "file listing: a b c", "read failed: no such file");
        Reply after = send(server, api, stream, api.request(stream, s.tools(), null, history(api, s, results, null)));

        assertEquals("Results: file listing: a b c | read failed: no such file", after.text(), after.toString());
        assertEquals(ended(api), after.finish());
        assertEquals(List.of(), after.calls());
        assertEquals(List.of(s.pid()), turnPids(turnlog), "the continuation ran on the held process, no new turn");
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("apisAndStreaming")
    void aLargeResultArrivesWhole(Api api, boolean stream) throws Exception {
        Path turnlog = tmp.resolve("turns");
        List<String> tools = List.of(api.tool("Bash"));
        String user = api.user("Run it fake:mode=tools fake:turnlog=" + turnlog);
        Reply reply = send(server, api, stream, api.request(stream, tools, null, List.of(user)));
        assertEquals(1, reply.calls().size(), reply.toString());

        StringBuilder big = new StringBuilder("<start>");
        for (int i = 0; big.length() < 200_000 - 5; i++) {
            big.append(i % 97 == 0 ? ' ' : (char) ('a' + i % 26));
        }
        big.setLength(200_000 - 5);
        big.append("<end>");
        List<String> messages = new ArrayList<>(List.of(user, api.echo(reply)));
        messages.addAll(api.results(List.of(new Result(reply.calls().get(0).id(), big.toString(), false)), null));
        Reply after = send(server, api, stream, api.request(stream, tools, null, messages));

        assertEquals(200_000, big.length());
        assertWhole("Results: " + big, after.text());
        assertEquals(ended(api), after.finish(), "not cut short (max_tokens 64000 on Anthropic, none on OpenAI)");
        assertEquals(List.of(pidOf(reply.calls().get(0).id())), turnPids(turnlog));
    }

    /** {@code expected.equals(actual)}, told briefly: lengths and where they first differ. */
    private static void assertWhole(String expected, String actual) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < Math.min(expected.length(), actual.length()) && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        throw new AssertionError("the result did not arrive whole: expected " + expected.length() + " chars, got "
                + actual.length() + ", first difference at " + i + ": got \""
                + actual.substring(Math.max(0, i - 20), Math.min(actual.length(), i + 40)) + "\", ends \""
                + actual.substring(Math.max(0, actual.length() - 40)) + "\"");
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(Arguments.of(Api.OPENAI, true, "extra text"), Arguments.of(Api.OPENAI, false, "wrong id"),
                Arguments.of(Api.ANTHROPIC, false, "extra text"), Arguments.of(Api.ANTHROPIC, true, "wrong id"));
    }

    @ParameterizedTest(name = "{0} stream={1} {2}")
    @MethodSource("mismatches")
    void aFollowUpThatDoesNotAnswerExactlyRunsAfreshAndEndsTheHeldProcess(Api api, boolean stream, String how)
            throws Exception {
        Path turnlog = tmp.resolve("turns");
        Started s = callBoth(server, api, stream, "fake:turnlog=" + turnlog);

        List<Result> results = new ArrayList<>(results(api, s.reply(), "one", "two"));
        String extra = null;
        if (how.equals("extra text")) {
            extra = "and also say hello";
        } else {
            Result r = results.get(1);
            results.set(1, new Result("call_not_made_by_the_model", r.text(), r.isError()));
        }
        HttpResponse<String> r = post(server, api, api.request(stream, s.tools(), null, history(api, s, results, extra)));
        assertEquals(200, r.statusCode(), r.body());
        Reply after = api.read(r.body(), stream, false);
        assertTrue(!after.text().isEmpty() || !after.calls().isEmpty(), "an answer: " + after);

        List<Long> pids = turnPids(turnlog);
        assertEquals(2, pids.size(), "a second process ran a turn: " + pids);
        assertEquals(s.pid(), pids.get(0));
        assertNotEquals(s.pid(), pids.get(1), "the follow-up ran on a new process");
        assertEnds(s.pid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apis")
    void afterTheHoldWindowTheProcessAndItsToolEndpointAreGone(Api api) throws Exception {
        try (TestServer short1 = TestServer.start(Map.of(), "--warm", "0", "--tool-hold", "1s")) {
            Path turnlog = tmp.resolve("turns");
            Path argv = tmp.resolve("argv");
            boolean stream = api == Api.ANTHROPIC;
            Started s = callBoth(short1, api, stream, "fake:turnlog=" + turnlog + " fake:argvfile=" + argv);

            List<String> args = Files.readAllLines(argv);
            int at = args.indexOf("--mcp-config");
            assertTrue(at >= 0 && at + 1 < args.size(), "--mcp-config FILE: " + args);
            Node config = Node.parse(Files.readString(Path.of(args.get(at + 1))));
            URI mcp = URI.create(config.get("mcpServers").get("proxy").text("url"));
            assertEquals("127.0.0.1", mcp.getHost(), mcp.toString());
            String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
            assertEquals(200, postTo(short1, mcp, ping).statusCode(), "while held, the tool endpoint answers");

            Thread.sleep(2500);
            assertEnds(s.pid());
            assertEquals(404, postTo(short1, mcp, ping).statusCode(), "the tool endpoint is gone");
            assertFalse(Files.exists(Path.of(args.get(at + 1))), "the --mcp-config file is deleted");

            List<Result> results = results(api, s.reply(), "late one", "late two");
            Reply after = send(short1, api, stream, api.request(stream, s.tools(), null, history(api, s, results, null)));
            assertTrue(!after.text().isEmpty() || !after.calls().isEmpty(), "an answer: " + after);
            List<Long> pids = turnPids(turnlog);
            assertEquals(2, pids.size(), pids.toString());
            assertNotEquals(s.pid(), pids.get(1), "answered on a new process");
        }
    }

    private static HttpResponse<String> postTo(TestServer s, URI uri, String json) throws Exception {
        return s.send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apis")
    void aClientGoneMidStreamEndsTheCli(Api api) throws Exception {
        Set<Long> before = runningDescendants();
        Path pidfile = tmp.resolve("pids");
        List<String> tools = List.of(api.tool("Bash"), api.tool("read"));
        String user = api.user("Slowly fake:mode=tools fake:calls=Bash+read fake:pace=200 fake:grandchild=1 fake:pidfile=" + pidfile);
        HttpResponse<InputStream> r = server.client().send(HttpRequest.newBuilder(server.uri(api.path))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(api.request(true, tools, null, List.of(user)))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        String marker = api == Api.OPENAI ? "\"tool_calls\"" : "\"tool_use\"";
        boolean seen = false;
        try (InputStream body = r.body()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.contains(marker)) {
                    seen = true;
                    break;
                }
            }
        }
        assertTrue(seen, "a tool call came before the client left");
        Processes.assertTreeKilled(pidfile);
        Processes.waitUntil(() -> before.containsAll(runningDescendants()), Duration.ofSeconds(5));
        Set<Long> left = runningDescendants();
        left.removeAll(before);
        assertEquals(Set.of(), left, "no process is left");
    }

    private static Set<Long> runningDescendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).filter(Processes::running)
                .collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("apisAndStreaming")
    void toolChoiceNoneStartsTheCliWithoutTools(Api api, boolean stream) throws Exception {
        Path argv = tmp.resolve("argv");
        String none = api == Api.OPENAI ? "\"none\"" : "{\"type\":\"none\"}";
        String user = api.user("Do not call fake:mode=tools fake:argvfile=" + argv);
        Reply reply = send(server, api, stream,
                api.request(stream, List.of(api.tool("Bash"), api.tool("read")), none, List.of(user)));

        List<String> args = Files.readAllLines(argv);
        assertFalse(args.stream().anyMatch(a -> a.startsWith("--mcp-config")), args.toString());
        assertEquals("No tools", reply.text(), "the fake's answer without a tool server");
        assertEquals(List.of(), reply.calls());
        assertEquals(ended(api), reply.finish());
    }

    static Stream<Arguments> oddNames() {
        String dotted = "weather.get/v2 (beta)";
        String longName = "t".repeat(30) + "_" + "0123456789".repeat(2) + "abcdefghi"; // 60 characters, all safe
        return Stream.of(Arguments.of(Api.OPENAI, true, dotted), Arguments.of(Api.OPENAI, false, longName),
                Arguments.of(Api.ANTHROPIC, false, dotted), Arguments.of(Api.ANTHROPIC, true, longName));
    }

    @ParameterizedTest(name = "{0} stream={1} {2}")
    @MethodSource("oddNames")
    void aToolServedUnderAnAliasComesBackUnderItsOwnName(Api api, boolean stream, String name) throws Exception {
        Path turnlog = tmp.resolve("turns");
        Path argv = tmp.resolve("argv");
        List<String> tools = List.of(api.tool(name));
        String user = api.user("Call it fake:mode=tools fake:turnlog=" + turnlog + " fake:argvfile=" + argv);
        Reply reply = send(server, api, stream, api.request(stream, tools, null, List.of(user)));

        assertEquals(1, reply.calls().size(), reply.toString());
        assertEquals(name, reply.calls().get(0).name());
        assertEquals(stopped(api), reply.finish());
        assertTrue(Files.readString(argv).contains("mcp__proxy__"), "allowed tools name the tool server");

        // and the results of the aliased call continue the held process
        List<String> messages = new ArrayList<>(List.of(user, api.echo(reply)));
        messages.addAll(api.results(List.of(new Result(reply.calls().get(0).id(), "sunny", false)), null));
        Reply after = send(server, api, stream, api.request(stream, tools, null, messages));
        assertEquals("Results: sunny", after.text());
        assertEquals(List.of(pidOf(reply.calls().get(0).id())), turnPids(turnlog));
    }
}
