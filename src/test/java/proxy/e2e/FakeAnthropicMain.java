package proxy.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@link FakeAnthropic} on its own, for trying clients by hand through the proxy and the real CLI
 * (the README's client recipes). Prints the base URL for the proxy's {@code ANTHROPIC_BASE_URL}; a
 * control listener on 127.0.0.1:PORT (the only argument) takes a new script as {@code POST /reply},
 * one reply a line: {@code text WORDS} (streamed a word a delta), or {@code tool NAME JSON} (a call
 * of {@code NAME}, as the CLI names it, e.g. {@code mcp__proxy__get_weather}, with that input), and
 * shows a recorded request as {@code GET /requests/N} (0-based; {@code GET /requests}: the count).
 * Replies are taken in order, the last one repeating, except that a request that does not offer
 * the tool the next reply calls (a client's side request, such as a title) gets a text reply and
 * leaves the script where it is. The printed base URL is a front that picks the reply, then
 * forwards the request to the fake, one request at a time.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:target/lib/jackson-core.jar proxy.e2e.FakeAnthropicMain 9100
 * curl -s 127.0.0.1:9100/reply --data-binary $'tool mcp__proxy__get_weather {"city":"Paris"}\ntext It is sunny.'
 * </pre>
 */
public final class FakeAnthropicMain {

    private FakeAnthropicMain() {
    }

    public static void main(String[] args) throws Exception {
        FakeAnthropic fake = new FakeAnthropic();
        HttpServer front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        front.createContext("/", ex -> forward(ex, fake));
        front.start();
        HttpServer control = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 0);
        control.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (ex.getRequestMethod().equals("POST") && path.equals("/reply")) {
                    setScript(parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                    send(ex, 200, "ok\n");
                } else if (path.equals("/requests")) {
                    send(ex, 200, fake.requests().size() + "\n");
                } else if (path.startsWith("/requests/")) {
                    FakeAnthropic.Recorded r = fake.requests().get(Integer.parseInt(path.substring(10)));
                    send(ex, 200, r.method() + " " + r.path() + "\n" + r.headers() + "\n\n" + r.body() + "\n");
                } else {
                    send(ex, 404, "POST /reply, GET /requests[/N]\n");
                }
            } catch (RuntimeException e) {
                send(ex, 400, e + "\n");
            }
        });
        control.start();
        System.out.println("http://127.0.0.1:" + front.getAddress().getPort());
        new CountDownLatch(1).await();
    }

    private static List<FakeAnthropic.Reply> script = List.of(FakeAnthropic.Reply.text("Hello from the fake."));
    private static int next;

    private static synchronized void setScript(List<FakeAnthropic.Reply> replies) {
        script = replies;
        next = 0;
    }

    /** Picks this request's reply, sets it as the fake's only one and forwards the request; one at a time. */
    private static synchronized void forward(HttpExchange ex, FakeAnthropic fake) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            FakeAnthropic.Reply reply = script.get(Math.min(next, script.size() - 1));
            if (reply instanceof FakeAnthropic.ToolUseReply u
                    && !new String(body, StandardCharsets.UTF_8).contains("\"name\":\"" + u.calls().getFirst().name() + "\"")) {
                reply = FakeAnthropic.Reply.text("A ", "side ", "answer.");
            } else {
                next++;
            }
            fake.reply(reply);
            HttpURLConnection c = (HttpURLConnection) URI.create(fake.baseUrl() + ex.getRequestURI()).toURL().openConnection();
            c.setRequestMethod(ex.getRequestMethod());
            ex.getRequestHeaders().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Content-Length") && !k.equalsIgnoreCase("Host")) {
                    c.setRequestProperty(k, String.join(",", v));
                }
            });
            if (body.length > 0) {
                c.setDoOutput(true);
                c.getOutputStream().write(body);
            }
            int status = c.getResponseCode();
            c.getHeaderFields().forEach((k, v) -> {
                if (k != null && !k.equalsIgnoreCase("Content-Length") && !k.equalsIgnoreCase("Transfer-Encoding")) {
                    ex.getResponseHeaders().put(k, v);
                }
            });
            ex.sendResponseHeaders(status, 0);
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream(); OutputStream out = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                for (int r; in != null && (r = in.read(buf)) > 0; ) {
                    out.write(buf, 0, r);
                    out.flush();
                }
            }
        }
    }

    private static List<FakeAnthropic.Reply> parse(String script) {
        List<FakeAnthropic.Reply> replies = new ArrayList<>();
        for (String line : script.strip().split("\n")) {
            String[] w = line.strip().split(" ", 3);
            replies.add(switch (w[0]) {
                case "text" -> FakeAnthropic.Reply.text(line.strip().substring(5).split("(?<= )")); // a delta a word
                case "tool" -> FakeAnthropic.Reply.toolUse(w[1], w[2]);
                default -> throw new IllegalArgumentException("not text/tool: " + line);
            });
        }
        return List.copyOf(replies);
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
