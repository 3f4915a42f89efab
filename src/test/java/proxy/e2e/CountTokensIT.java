package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;

/**
 * {@code /v1/messages/count_tokens} with the real CLI: the count is what the upstream reported
 * at {@code message_start} for the request the CLI made (with the client's tools in it), and a
 * second identical request is answered without another upstream call.
 */
class CountTokensIT {

    @TempDir
    Path tmp;

    @Test
    void theCountIsTheUpstreamsOwn() throws Exception {
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.text("never read"));
            Path home = Files.createDirectories(tmp.resolve("home"));
            try (TestServer proxy = TestServer.start(RealCli.env(home, upstream.baseUrl()), "--claude",
                    RealCli.install().toString(), "--warm", "0")) {
                String body = "{\"model\":\"haiku\",\"messages\":[{\"role\":\"user\",\"content\":\"How many tokens?\"}],"
                        + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}]}";
                HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/messages/count_tokens"))
                        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                HttpResponse<String> r = proxy.send(request);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(Node.parse("{\"input_tokens\":10}"), Node.parse(r.body()), "FakeAnthropic's message_start says 10");
                assertEquals(1, upstream.requests().size());
                assertTrue(upstream.requests().getFirst().body().contains("\"mcp__proxy__get_weather\""), "counted with the tools");

                HttpResponse<String> again = proxy.send(request);
                assertEquals(r.body(), again.body());
                assertEquals(1, upstream.requests().size(), "answered from the cache");
            }
        }
    }
}
