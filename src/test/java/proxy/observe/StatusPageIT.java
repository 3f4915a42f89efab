package proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;

/**
 * The status page in a real browser: Debian's headless Chromium loads {@code GET /} from a proxy
 * with the fake CLI, runs the page's script under the page's CSP, and prints the DOM the script
 * built ({@code --dump-dom}; {@code --virtual-time-budget} lets its timers and fetches run). The
 * DOM is read before and after requests to the proxy: the counters and the table must show what
 * {@code /status} says, so a broken script (or a CSP that blocks it) fails here. A screenshot is
 * left in {@code target/status-page.png} for a person to look at.
 *
 * <p>Without Chromium ({@code /usr/bin/chromium}, or the {@code chromium} system property) the
 * test installs Debian's package when it runs as root, and is skipped when it cannot.
 */
class StatusPageIT {

    private static final Path TARGET = Path.of(System.getProperty("project.dir", "."), "target");
    private static Path chromium;

    @TempDir
    Path profile;

    @BeforeAll
    static void findChromium() throws Exception {
        chromium = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium) && "root".equals(System.getProperty("user.name"))) {
            // as root on Debian/Ubuntu: the package list may be stale, so update once if the first try fails
            if (run(List.of("apt-get", "install", "-y", "chromium")) != 0) {
                run(List.of("apt-get", "update"));
                run(List.of("apt-get", "install", "-y", "chromium"));
            }
        }
        Assumptions.assumeTrue(Files.isExecutable(chromium), "skipped: no Chromium at " + chromium
                + " (install Debian's package: apt-get install -y chromium, or pass -Dchromium=PATH)");
    }

    @Test
    void theCountersAndTheTableFollowTheRequests() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0")) {
            String before = dumpDom(server.uri("/"));
            assertEquals("ok", attribute(before, "id=\"health\"", "data-state"), before);
            assertEquals(Node.parse(server.get("/status").body()).text("version"), text(before, "id=\"version\""));
            assertEquals("0", counter(before, "cli_spawns"), "filled from /status: " + before);
            assertEquals("0", counter(before, "requests_in_flight"), "not counting the page's own poll");
            assertEquals(List.of(), rows(before), "the page's own polls are not shown");
            assertTrue(before.contains(server.uri("/v1").toString()), "the OpenAI snippet's base_url");

            HttpResponse<String> anthropic = server.post("/v1/messages",
                    "{\"model\":\"opus\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, anthropic.statusCode(), anthropic.body());
            HttpResponse<String> openai = server.post("/v1/chat/completions",
                    "{\"model\":\"sonnet\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, openai.statusCode(), openai.body());
            Node counters = awaitListed(server, "/v1/chat/completions").get("counters");

            String after = dumpDom(server.uri("/"));
            assertEquals(String.valueOf(counters.get("cli_spawns").longValue(-1)), counter(after, "cli_spawns"), after);
            assertFalse(counter(after, "cli_spawns").equals("0"), "the requests started a CLI");
            assertEquals(String.valueOf(counters.get("cli_live").longValue(-1)), counter(after, "cli_live"));
            List<List<String>> rows = rows(after);
            assertEquals(2, rows.size(), after);
            // newest first: time, method, path, status, api, model, stream, ttft, seconds, in, out, cost, cli
            assertEquals(List.of("POST", "/v1/chat/completions", "200", "openai", "sonnet", "yes"), rows.get(0).subList(1, 7));
            assertEquals(List.of("POST", "/v1/messages", "200", "anthropic", "opus", "no"), rows.get(1).subList(1, 7));
            assertEquals("12,304", rows.get(1).get(9), "input tokens");
            assertTrue(rows.get(1).get(11).startsWith("$0.04"), "cost: " + rows.get(1));
            assertEquals("2", attribute(after, "id=\"ttft-chart\"", "data-points"), "a bar per request with a first token");
            assertFalse(after.contains("\"content\":\"hi\""), "no prompt text");

            Path png = TARGET.resolve("status-page.png");
            Files.deleteIfExists(png);
            chromium(List.of("--screenshot=" + png, "--window-size=1200,900", server.uri("/").toString()));
            assertTrue(Files.size(png) > 10_000, "a screenshot in " + png);
        }
    }

    @Test
    void withAnApiKeyThePageAsksForIt() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0", "--api-key", "k-status")) {
            String dom = dumpDom(server.uri("/"));
            assertFalse(tag(dom, "id=\"key-form\"").contains("hidden"), "the key field shows: " + dom);
            assertEquals("ok", attribute(dom, "id=\"health\"", "data-state"), "/health answers without the key");
            assertEquals("–", counter(dom, "cli_spawns"), "nothing from /status without the key");
            assertTrue(dom.contains("$CLAUDE_PROXY_API_KEY"), "the snippets send a key");
        }
    }

    /** {@code /status} once it lists {@code path}: a record joins the list just after its answer went out. */
    private static Node awaitListed(TestServer server, String path) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (String body; ; Thread.sleep(20)) {
            body = server.get("/status").body();
            if (body.contains("\"path\":\"" + path + "\"")) {
                return Node.parse(body);
            }
            assertTrue(System.nanoTime() < deadline, () -> path + " listed in /status");
        }
    }

    // --- Chromium -----------------------------------------------------------------------------

    /** The DOM after the page's script ran for five seconds of virtual time. */
    private String dumpDom(URI page) throws Exception {
        return chromium(List.of("--virtual-time-budget=5000", "--dump-dom", page.toString()));
    }

    /** Runs headless Chromium with {@code args} after the common flags; its stdout. */
    private String chromium(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--no-proxy-server", "--hide-scrollbars", "--user-data-dir=" + profile.resolve("profile")));
        command.addAll(args);
        Path err = profile.resolve("chromium.err");
        Path out = profile.resolve("chromium.out");
        // to files, not pipes: a hung browser must not block the test on a read the timeout cannot end
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not exit: " + readQuietly(err));
            }
        } finally {
            // its helper processes (zygote, renderer) too, whatever happened
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1; // no apt-get
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    // --- reading the dumped DOM (Chromium serializes attributes in source order) --------------

    /** The start tag that holds {@code marker}. */
    private static String tag(String dom, String marker) {
        int at = dom.indexOf(marker);
        assertTrue(at >= 0, () -> marker + " in " + dom);
        return dom.substring(dom.lastIndexOf('<', at), dom.indexOf('>', at) + 1);
    }

    private static String attribute(String dom, String marker, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag(dom, marker));
        assertTrue(m.find(), () -> name + " on " + tag(dom, marker));
        return m.group(1);
    }

    /** The text of the element whose start tag holds {@code marker} (no child elements). */
    private static String text(String dom, String marker) {
        int start = dom.indexOf(tag(dom, marker)) + tag(dom, marker).length();
        return dom.substring(start, dom.indexOf('<', start));
    }

    private static String counter(String dom, String name) {
        return text(dom, "data-counter=\"" + name + "\"");
    }

    /** The cells of the recent-requests table, row by row. */
    private static List<List<String>> rows(String dom) {
        String body = dom.substring(dom.indexOf("<tbody id=\"recent\">"), dom.indexOf("</tbody>"));
        List<List<String>> rows = new ArrayList<>();
        Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(body);
        while (row.find()) {
            List<String> cells = new ArrayList<>();
            Matcher cell = Pattern.compile("<td[^>]*>([^<]*)</td>").matcher(row.group(1));
            while (cell.find()) {
                cells.add(cell.group(1));
            }
            rows.add(cells);
        }
        return rows;
    }
}
