package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.TestServer;
import proxy.json.Node;

/**
 * The real CLI with nothing to log in with (an empty HOME, an empty ANTHROPIC_API_KEY, which
 * it takes as none): it answers "Not logged in" without a request, and the proxy makes that a
 * 401 with its own login advice in both APIs. The fake upstream must see nothing.
 */
class CliNotLoggedInIT {

    @TempDir
    Path tmp;

    @Test
    void bothApisAnswer401WithoutAnyRequestUpstream() throws Exception {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            Map<String, String> env = RealCli.env(home, upstream.baseUrl());
            env.put("ANTHROPIC_API_KEY", "");
            try (TestServer proxy = TestServer.start(env, "--claude", claude.toString())) {
                HttpResponse<String> anthropic = post(proxy, "/v1/messages",
                        "{\"model\":\"sonnet\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
                assertEquals(401, anthropic.statusCode(), anthropic.body());
                assertEquals(Optional.of("false"), anthropic.headers().firstValue("x-should-retry"));
                Node error = Node.parse(anthropic.body()).get("error");
                assertEquals("authentication_error", error.text("type"));
                assertTrue(error.text("message").contains("'claude auth login'"), anthropic.body());

                HttpResponse<String> openAi = post(proxy, "/v1/chat/completions",
                        "{\"model\":\"sonnet\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
                assertEquals(401, openAi.statusCode(), openAi.body());
                assertEquals("invalid_request_error", Node.parse(openAi.body()).get("error").text("type"));

                HttpResponse<String> health = proxy.get("/health");
                assertTrue(health.body().startsWith("{\"status\":\"no_credentials\""), health.body());
            }
            assertEquals(0, upstream.requests().size(), "the CLI fails before any request");
        }
    }

    private static HttpResponse<String> post(TestServer proxy, String path, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
