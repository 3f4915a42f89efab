package proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real CLI, offline, against {@link FakeAnthropic}: proves the fake upstream is good enough for it. */
class FakeAnthropicIT {

    @TempDir
    Path tmp;

    @Test
    void realCliAnswersFromTheFakeUpstream() throws IOException, InterruptedException {
        Path claude = RealCli.install();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        try (FakeAnthropic upstream = new FakeAnthropic()) {
            upstream.reply(FakeAnthropic.Reply.text("Hello ", "from ", "the fake."));

            ProcessBuilder pb = new ProcessBuilder(List.of(claude.toString(), "-p",
                    "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                    "--include-partial-messages", "--tools", "", "--strict-mcp-config", "--setting-sources", ""))
                    .directory(cwd.toFile())
                    .redirectOutput(tmp.resolve("stdout").toFile())
                    .redirectError(tmp.resolve("stderr").toFile());
            pb.environment().clear();
            pb.environment().putAll(RealCli.env(home, upstream.baseUrl()));
            pb.environment().put("CLAUDE_CODE_MAX_RETRIES", "0");
            Process p = pb.start();
            try (var stdin = p.getOutputStream()) {
                stdin.write("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n"
                        .getBytes(StandardCharsets.UTF_8));
            }
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            String stdout = Files.readString(tmp.resolve("stdout"));
            String diag = "\nstdout:\n" + stdout + "\nstderr:\n" + Files.readString(tmp.resolve("stderr"));
            assertTrue(done, "CLI still running after 60 s" + diag);
            assertEquals(0, p.exitValue(), "exit code" + diag);

            String result = stdout.lines().filter(l -> l.contains("\"type\":\"result\"")).findFirst().orElse("");
            assertTrue(result.contains("\"is_error\":false"), "result line with is_error:false" + diag);
            assertTrue(result.contains("\"result\":\"Hello from the fake.\""), "scripted text in result" + diag);

            List<FakeAnthropic.Recorded> requests = upstream.requests();
            assertFalse(requests.isEmpty(), "no upstream request" + diag);
            FakeAnthropic.Recorded request = requests.getLast();
            assertEquals("POST", request.method());
            assertTrue(request.path().startsWith("/v1/messages"), request.path());
            assertEquals("sk-fake", request.headers().get("X-Api-Key"));
            assertTrue(Pattern.compile("\"role\":\"user\",\"content\":(\"hi\"|\\[[^]]*\"text\":\"hi\")")
                    .matcher(request.body()).find(), "user text in request body: " + request.body());
        }
    }
}
