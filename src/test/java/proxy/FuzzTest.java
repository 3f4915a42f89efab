package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import proxy.json.Node;

/**
 * Issue 12: a seeded fuzzer of the POST routes against the fake CLI. Every answer must be a 2xx
 * (JSON or an SSE stream) or a 4xx in the route's envelope, never a 5xx or a dropped connection,
 * and the server must serve normal requests afterwards; once the servers close, none of the
 * proxy's threads is left and the open files are back to where they were. Bodies with client
 * tools (and tool-call histories) are fuzzed too, on a server whose fake CLI calls the tools.
 *
 * <p>Run one failing case again with {@code -Dfuzz.seed=S -Dfuzz.cases=N}: case i uses
 * {@code new Random(seed + i)}.
 */
class FuzzTest {

    static final long SEED = Long.getLong("fuzz.seed", 20261204L);
    static final int CASES = Integer.getInteger("fuzz.cases", 2000);
    /** Names of the threads the proxy starts; none may outlive its server. */
    static final List<String> PROXY_THREADS = List.of("HTTP-Dispatcher", "http-", "cli-", "choice-", "mcp", "tool");

    record Route(String path, boolean anthropic, List<String> bodies) {}

    static final String IMG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    static final List<Route> ROUTES = List.of(
            new Route("/v1/messages", true, List.of(
                    "{\"model\":\"sonnet\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "{\"model\":\"sonnet\",\"max_tokens\":16,\"stream\":true,\"system\":[{\"type\":\"text\",\"text\":\"be brief\"}],"
                            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
                            + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + IMG + "\"}}]}]}",
                    "{\"model\":\"sonnet\",\"max_tokens\":16,\"stop_sequences\":[\"x\"],\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},"
                            + "\"tools\":[{\"name\":\"get\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}],"
                            + "\"tool_choice\":{\"type\":\"auto\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                            + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"get\",\"input\":{}}]},"
                            + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"ok\"}]}]}")),
            new Route("/v1/messages/count_tokens", true, List.of(
                    "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "{\"model\":\"sonnet\",\"system\":\"s\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}")),
            new Route("/v1/chat/completions", false, List.of(
                    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":20,\"stop\":[\"x\"],"
                            + "\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
                            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + IMG + "\"}}]}]}",
                    "{\"model\":\"gpt-4o\",\"n\":2,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
                            + "\"tool_choice\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                            + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]}")),
            new Route("/v1/responses", false, List.of(
                    "{\"model\":\"gpt-4o\",\"input\":\"hi\"}",
                    "{\"model\":\"gpt-4o\",\"stream\":true,\"instructions\":\"s\",\"max_output_tokens\":30,"
                            + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"},"
                            + "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64," + IMG + "\"}]}]}",
                    "{\"model\":\"gpt-4o\",\"store\":false,\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}],"
                            + "\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"},"
                            + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
                            + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"ok\"}]}")));

    static final String[] WRONG = {"1", "-1", "0", "1.5", "true", "false", "null", "[]", "{}", "[{}]", "\"\"", "\"x\"",
            "[1,2]", "{\"type\":1}", "-1e999", "1e999", "99999999999999999999", "[null]", "{\"\":null}", "\"\\u0000\""};

    @Test
    void mutatedBodiesGetAnAnswerInTheRoutesEnvelope() throws Exception {
        System.out.println("FuzzTest seed " + SEED + ", " + CASES + " cases (-Dfuzz.seed=" + SEED + ")");
        long start = System.nanoTime();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger statuses2xx = new AtomicInteger();
        long fdsBefore = openFds();
        // bodies with client tools go to a server whose fake CLI calls them (its replay mode would
        // not connect to the tool server); their held CLIs are let go after a second
        try (TestServer plain = TestServer.start(Map.of(), "--warm", "0");
                TestServer tools = TestServer.start(Map.of("FAKE_CLAUDE_MODE", "tools"), "--warm", "0", "--tool-hold", "1s");
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Servers s = new Servers(plain, tools);
            int workers = 6;
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int first = w;
                done.add(pool.submit(() -> {
                    for (int i = first; i < CASES; i += workers) {
                        String failure = runCase(s, i, statuses2xx);
                        if (failure != null) {
                            failures.add(failure);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (Route route : ROUTES) {
                HttpResponse<String> r = plain.post(route.path(), route.bodies().get(0));
                assertEquals(200, r.statusCode(), route.path() + " after fuzzing: " + r.body());
            }
        }
        assertCleanedUp(fdsBefore);
        System.out.printf("FuzzTest: %d cases in %d ms, %d answered 2xx, %d failures%n", CASES,
                (System.nanoTime() - start) / 1_000_000, statuses2xx.get(), failures.size());
        failures.stream().limit(20).forEach(System.out::println);
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + SEED + "), first: "
                + failures.stream().limit(5).toList());
    }

    /** The server for bodies without client tools, and the one for bodies with them. */
    record Servers(TestServer plain, TestServer tools) {}

    /** The proxy's threads are gone and the open files are back to where they were, within ten seconds. */
    static void assertCleanedUp(long fdsBefore) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> PROXY_THREADS.stream().anyMatch(n::startsWith)).toList();
            long fds = openFds();
            // a little slack: the JVM opens jars and the like on its own
            if (left.isEmpty() && fds <= fdsBefore + 8) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after the servers closed: threads " + left + ", open files " + fds
                        + " (before: " + fdsBefore + ")");
            }
            Thread.sleep(100);
        }
    }

    static long openFds() throws Exception {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** One case: null when the answer is acceptable, else a description naming the case. */
    static String runCase(Servers servers, int i, AtomicInteger ok) {
        Random rnd = new Random(SEED + i);
        Route route = ROUTES.get(rnd.nextInt(ROUTES.size()));
        int pick = rnd.nextInt(route.bodies().size());
        String base = route.bodies().get(pick);
        // the last body of each route but count_tokens has client tools
        TestServer s = pick == route.bodies().size() - 1 && !route.path().endsWith("count_tokens") ? servers.tools() : servers.plain();
        byte[] body = mutate(base.getBytes(StandardCharsets.UTF_8), rnd);
        String id = "case " + i + " (seed " + (SEED + i) + ") " + route.path() + " body "
                + abbreviate(new String(body, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = s.client().send(HttpRequest.newBuilder(s.uri(route.path()))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return id + ": client exception " + e;
        }
        int status = r.statusCode();
        String type = r.headers().firstValue("content-type").orElse("");
        String got = " -> " + status + " " + type + " " + abbreviate(r.body());
        if (status >= 500 || status < 200 || status >= 300 && status < 400) {
            return id + got;
        }
        if (status < 300) {
            ok.incrementAndGet();
            if (type.startsWith("text/event-stream")) {
                return null;
            }
            if (!type.equals("application/json")) {
                return id + ": 2xx of type " + type + got;
            }
            try {
                Node.parse(r.body());
            } catch (Exception e) {
                return id + ": 2xx body is not JSON" + got;
            }
            return null;
        }
        if (!type.equals("application/json")) {
            return id + ": error not JSON" + got;
        }
        try {
            Node n = Node.parse(r.body());
            Node error = n.get("error");
            boolean valid = error.isObject() && error.text("message") != null && error.text("type") != null
                    && (route.anthropic() ? "error".equals(n.text("type"))
                            : error.has("param") && error.has("code"));
            return valid ? null : id + ": not the route's envelope" + got;
        } catch (Exception e) {
            return id + ": error body is not JSON" + got;
        }
    }

    static byte[] mutate(byte[] body, Random rnd) {
        int rounds = 1 + rnd.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            body = switch (rnd.nextInt(10)) {
                case 0 -> deleteBytes(body, rnd);
                case 1 -> insertBytes(body, rnd);
                case 2 -> replaceBytes(body, rnd);
                case 3, 4 -> replaceValue(body, rnd, WRONG[rnd.nextInt(WRONG.length)]);
                case 5 -> replaceValue(body, rnd, "\"" + hugeString(rnd) + "\"");
                case 6 -> {
                    int n = rnd.nextBoolean() ? 100 + rnd.nextInt(60) : 100 + rnd.nextInt(5000);
                    String open = rnd.nextBoolean() ? "[" : "{\"a\":";
                    String close = open.equals("[") ? "]" : "}";
                    yield replaceValue(body, rnd, open.repeat(n) + "1" + close.repeat(n));
                }
                case 7 -> replaceValue(body, rnd, "\"" + randomUnicode(rnd) + "\"");
                case 8 -> java.util.Arrays.copyOf(body, rnd.nextInt(body.length + 1));
                default -> replaceValue(body, rnd, "9".repeat(1 + rnd.nextInt(300)));
            };
        }
        return body;
    }

    static byte[] deleteBytes(byte[] b, Random rnd) {
        if (b.length == 0) {
            return b;
        }
        int at = rnd.nextInt(b.length);
        int n = Math.min(b.length - at, 1 + rnd.nextInt(8));
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + n, out, at, b.length - at - n);
        return out;
    }

    static byte[] insertBytes(byte[] b, Random rnd) {
        byte[] insert = new byte[1 + rnd.nextInt(6)];
        String json = "{}[]\",:\\0123456789-+.eE tfn\u0000";
        for (int i = 0; i < insert.length; i++) {
            insert[i] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) json.charAt(rnd.nextInt(json.length()));
        }
        int at = rnd.nextInt(b.length + 1);
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    static byte[] replaceBytes(byte[] b, Random rnd) {
        byte[] out = b.clone();
        for (int k = 1 + rnd.nextInt(4); k > 0 && out.length > 0; k--) {
            out[rnd.nextInt(out.length)] = (byte) rnd.nextInt(256);
        }
        return out;
    }

    /** Replaces one value (the one after a random {@code ":"}) with {@code value}. */
    static byte[] replaceValue(byte[] b, Random rnd, String value) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<Integer> starts = new ArrayList<>();
        for (int at = s.indexOf("\":"); at >= 0; at = s.indexOf("\":", at + 1)) {
            starts.add(at + 2);
        }
        if (starts.isEmpty()) {
            return b;
        }
        int start = starts.get(rnd.nextInt(starts.size()));
        int end = valueEnd(s, start);
        String replaced = s.substring(0, start) + new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                + s.substring(end);
        return replaced.getBytes(StandardCharsets.ISO_8859_1);
    }

    static int valueEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                if (--depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return s.length();
    }

    static String hugeString(Random rnd) {
        int n = rnd.nextBoolean() ? 4096 + rnd.nextInt(10) : 100_000 + rnd.nextInt(1_000_000);
        return String.valueOf((char) ('a' + rnd.nextInt(26))).repeat(n);
    }

    static String randomUnicode(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (int k = 1 + rnd.nextInt(20); k > 0; k--) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.append(String.format("\\u%04x", rnd.nextInt(0x10000))); // may be a lone surrogate
                case 1 -> sb.appendCodePoint(rnd.nextInt(0x20, 0xD800));
                case 2 -> sb.appendCodePoint(rnd.nextInt(0x10000, 0x110000));
                default -> sb.append((char) rnd.nextInt(0xD800, 0xE000)); // a raw lone surrogate: '?' in UTF-8
            }
        }
        return sb.toString().replace("\"", "'");
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }
}
