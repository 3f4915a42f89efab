package proxy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import proxy.config.Args;
import proxy.config.Config;
import proxy.config.UsageException;

/** A {@link Server} on loopback port 0 with a JDK {@link HttpClient} pointed at it. */
public final class TestServer implements AutoCloseable {

    private final Server server;
    private final HttpClient client;

    private TestServer(Server server) {
        this.server = server;
        this.client = HttpClient.newBuilder().proxy(ProxySelector.of(null)).build();
    }

    /** Starts a server with {@code --port 0}, the fake CLI, the given flags and extra environment. */
    public static TestServer start(Map<String, String> env, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--claude", FakeCli.SCRIPT.toString()));
        args.addAll(List.of(flags));
        Config config;
        try {
            config = ((Args.Run) Args.parse(args.toArray(String[]::new), FakeCli.env(env))).config();
        } catch (UsageException e) {
            throw new IllegalArgumentException(e);
        }
        return start(config);
    }

    public static TestServer start(Config config) throws IOException {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new TestServer(Server.start(config, quiet));
    }

    public Server server() {
        return server;
    }

    public URI uri(String path) {
        return URI.create(server.baseUri() + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Starts a stream whose fake CLI answers a few lines and then hangs, and returns once it is
     * mid-answer: it holds its CLI slot until the returned stream is closed.
     */
    public InputStream streamThatHangs() throws IOException, InterruptedException {
        String json = """
                {"model":"opus","max_tokens":10,"stream":true,"messages":[{"role":"user",
                 "content":"fake:mode=hang fake:after=6 fake:case=02-stream-json-partial"}]}""";
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.contains("text_delta"); ) {
            // until the CLI is mid-answer
        }
        return r.body();
    }

    public HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
