package proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import proxy.chat.Part;
import proxy.http.HttpError;

class ImageUrlsTest {

    private static final String WHERE = "messages[0].content[1].image_url.url";
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok.png", ex -> send(ex, 200, "image/PNG; charset=binary", PNG));
        server.createContext("/moved", ex -> {
            ex.getResponseHeaders().set("Location", "/ok.png");
            send(ex, 302, "text/plain", new byte[0]);
        });
        server.createContext("/missing.png", ex -> send(ex, 404, "image/png", new byte[0]));
        server.createContext("/page.html", ex -> send(ex, 200, "text/html; charset=utf-8", "<html>".getBytes()));
        server.createContext("/untyped", ex -> send(ex, 200, null, PNG));
        server.createContext("/big.png", ex -> send(ex, 200, "image/png", new byte[ImageUrls.MAX_IMAGE_BYTES + 10]));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            hits.incrementAndGet();
            if (type != null) {
                ex.getResponseHeaders().set("Content-Type", type);
            }
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length); // -1 = no body
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static HttpError fails(int status, Executable call) {
        HttpError e = assertThrows(HttpError.class, call);
        assertEquals(status, e.status(), e.getMessage());
        assertEquals(Optional.of(WHERE), e.param());
        assertTrue(e.getMessage().startsWith(WHERE + ": "), e.getMessage());
        return e;
    }

    @Test
    void dataUrlBecomesAnInlineImage() throws IOException {
        Part.Image image = new ImageUrls(false).resolve("data:image/png;base64,iVBORw0KGgo=", WHERE);
        assertEquals(new Part.Image("image/png", "iVBORw0KGgo="), image);
    }

    @Test
    void dataUrlMediaTypeIsReadWithoutCaseOrParameters() throws IOException {
        Part.Image image = new ImageUrls(false).resolve("data:Image/JPEG;name=a.jpg;base64,/9j/4AAQ", WHERE);
        assertEquals(new Part.Image("image/jpeg", "/9j/4AAQ"), image);
    }

    @Test
    void dataUrlOfAnotherTypeIsRefused() {
        HttpError e = fails(400, () -> new ImageUrls(false).resolve("data:image/bmp;base64,Qk0=", WHERE));
        assertTrue(e.getMessage().contains("image/bmp") && e.getMessage().contains("image/webp"), e.getMessage());
    }

    @Test
    void dataUrlThatIsNotBase64IsRefused() {
        HttpError e = fails(400, () -> new ImageUrls(false).resolve("data:image/png,%89PNG", WHERE));
        assertTrue(e.getMessage().contains("base64"), e.getMessage());
        fails(400, () -> new ImageUrls(false).resolve("data:image/png;base64", WHERE));
        fails(400, () -> new ImageUrls(false).resolve("data:image/png;base64,", WHERE));
    }

    @Test
    void dataUrlOverFiveMegabytesIs413() {
        String data = "A".repeat(ImageUrls.MAX_IMAGE_BYTES / 3 * 4 + 8);
        HttpError e = fails(413, () -> new ImageUrls(false).resolve("data:image/png;base64," + data, WHERE));
        assertTrue(e.getMessage().contains("5 MB"), e.getMessage());
    }

    @Test
    void remoteUrlsAreRefusedUnlessFetchingIsOn() {
        HttpError e = fails(400, () -> new ImageUrls(false).resolve(url("/ok.png"), WHERE));
        assertEquals(WHERE + ": image URLs are not fetched by this proxy; send the image as a data: URL (base64), "
                + "or start the proxy with --fetch-images on", e.getMessage());
        assertEquals(0, hits.get());
    }

    @Test
    void otherSchemesAreRefused() {
        fails(400, () -> new ImageUrls(true).resolve("ftp://example.com/a.png", WHERE));
        fails(400, () -> new ImageUrls(true).resolve("file:///etc/passwd", WHERE));
        fails(400, () -> new ImageUrls(true).resolve("just text", WHERE));
    }

    @Test
    void fetchedImageIsBase64WithItsBareMediaType() throws IOException {
        Part.Image image = new ImageUrls(true).resolve(url("/ok.png"), WHERE);
        assertEquals(new Part.Image("image/png", Base64.getEncoder().encodeToString(PNG)), image);
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        assertEquals("image/png", new ImageUrls(true).resolve(url("/moved"), WHERE).mediaType());
        assertEquals(2, hits.get());
    }

    @Test
    void prepareChecksWithoutFetching() throws IOException {
        ImageUrls.Pending pending = new ImageUrls(true).prepare(url("/ok.png"), WHERE);
        assertEquals(0, hits.get());
        assertEquals("image/png", pending.get().mediaType());
        assertEquals(1, hits.get());
    }

    @Test
    void errorStatusIsRefusedNamingTheStatus() {
        HttpError e = fails(400, () -> new ImageUrls(true).resolve(url("/missing.png"), WHERE));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    }

    @Test
    void wrongContentTypeIsRefusedNamingTheType() {
        HttpError e = fails(400, () -> new ImageUrls(true).resolve(url("/page.html"), WHERE));
        assertTrue(e.getMessage().contains("'text/html; charset=utf-8'"), e.getMessage());
        e = fails(400, () -> new ImageUrls(true).resolve(url("/untyped"), WHERE));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void fetchedImageOverFiveMegabytesIs413() {
        HttpError e = fails(413, () -> new ImageUrls(true).resolve(url("/big.png"), WHERE));
        assertTrue(e.getMessage().contains("5 MB"), e.getMessage());
    }

    @Test
    void unreachableHostIs400() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // nothing listens there once it is closed
        }
        HttpError e = fails(400, () -> new ImageUrls(true).resolve("http://127.0.0.1:" + port + "/ok.png", WHERE));
        assertTrue(e.getMessage().contains("fetching the image failed"), e.getMessage());
    }
}
