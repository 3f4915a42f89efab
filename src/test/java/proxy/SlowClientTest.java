package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Clients that send their request byte by byte are cut off once {@code --request-timeout}
 * has passed, headers or body, while other requests are served meanwhile. (A proxy process of
 * its own: the JDK server reads its limits once per JVM.)
 */
class SlowClientTest {

    private static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.java(), "-cp", System.getProperty("java.class.path"),
                "proxy.Main", "--port", "0", "--claude", FakeCli.SCRIPT.toString(), "--warm", "0"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Sends {@code head} at once, then one byte every 200 ms; returns the milliseconds until the
     * server closed the connection (or -1 if it had not after 15 s).
     */
    private static long trickle(ProxyProcess proxy, String head) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket(proxy.uri("/").getHost(), proxy.uri("/").getPort())) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (System.nanoTime() - start < 15_000_000_000L) {
                try {
                    if (in.read() == -1) {
                        return (System.nanoTime() - start) / 1_000_000;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // nothing yet: one more byte
                }
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException e) {
                    return (System.nanoTime() - start) / 1_000_000; // closed under us
                }
            }
            return -1;
        } catch (java.net.SocketException e) {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    @Test
    void slowHeadersAndSlowBodiesAreCutOffWhileOthersAreServed() throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main("--request-timeout", "2s"), Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            CompletableFuture<Long> headers = CompletableFuture.supplyAsync(() -> {
                try {
                    return trickle(proxy, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            CompletableFuture<Long> body = CompletableFuture.supplyAsync(() -> {
                try {
                    return trickle(proxy, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100000\r\n\r\n{\"model\":\"");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(500);
            HttpResponse<String> normal = client.send(HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, normal.statusCode(), "served while two clients trickle: " + normal.body());

            long headersCut = headers.join();
            long bodyCut = body.join();
            // behaviour, not speed: cut off, not before the deadline, and well before the 15 s the client keeps trying
            assertTrue(headersCut >= 1_000 && headersCut < 12_000, "slow headers cut off after " + headersCut + " ms");
            assertTrue(bodyCut >= 1_000 && bodyCut < 12_000, "slow body cut off after " + bodyCut + " ms");
        }
    }

    /** What one raw request gets: the status line, or null if the connection closed without one. */
    private static String statusLine(ProxyProcess proxy, String request) throws IOException {
        java.net.URI uri = proxy.uri("/");
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            return in.readLine();
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /**
     * Header limits are the JDK server's: more than {@code --max-headers} headers, or more than
     * {@code --max-header-bytes} of them, is refused before the proxy reads a byte of the body,
     * and the proxy goes on serving.
     */
    @Test
    void tooManyOrTooLargeHeadersAreRefused() throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(main("--max-headers", "50", "--max-header-bytes", "8192"), Map.of());
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build()) {
            StringBuilder headers = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                headers.append("X-Many-").append(i).append(": 1\r\n");
            }
            String many = "GET /health HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
            String large = "GET /health HTTP/1.1\r\nHost: x\r\nX-Large: " + "a".repeat(10_000) + "\r\n\r\n";
            String fine = "GET /health HTTP/1.1\r\nHost: x\r\n" + "X-Many: 1\r\n".repeat(40) + "\r\n";
            for (String request : new String[] {many, large}) {
                String status = statusLine(proxy, request);
                assertTrue(status == null || status.matches("HTTP/1.1 4\\d\\d .*"),
                        "refused: " + status + " for " + request.substring(0, 60));
            }
            assertEquals("HTTP/1.1 200 OK", statusLine(proxy, fine));
            HttpResponse<String> normal = client.send(HttpRequest.newBuilder(proxy.uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, normal.statusCode());
        }
    }
}
