package proxy.openai;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import proxy.Golden;
import proxy.TestServer;

/**
 * What an OpenAI client receives for each recorded CLI run, streaming (with usage) and not:
 * status, the headers clients act on, and the whole body, compared as text with ids and
 * times normalized. Goldens live in {@code src/test/resources/openai-golden}; regenerate with
 * {@code -Dgolden.update=true} and review the diff.
 */
class ChatGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/openai-golden");
    private static TestServer server;

    static List<String> captures() {
        return List.of("01-stream-json", "02-stream-json-partial", "old-02-stream-json-partial", "13-tool-bash-allowed-partial",
                "104-sse-midstream-error", "110-sigint-midstream", "111-sigterm-midstream", "60-err-401", "61-err-429",
                "62-err-529", "63-err-500", "64-err-conn-refused", "65-err-400", "67-err-404", "68-err-413",
                "85-stdin-invalid-json", "x-max-tokens-every-call", "x-stop-sequence");
    }

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String request(String capture, boolean stream) {
        return """
                {"model":"gpt-4o","stream":%s,"stream_options":{"include_usage":true},"reasoning_effort":"low",\
                "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"fake:case=%s"}]}"""
                .formatted(stream, capture);
    }


    static String normalize(String s) {
        return s.replaceAll("chatcmpl-[0-9a-f]{24}", "chatcmpl-ID").replaceAll("\"created\":\\d+", "\"created\":0");
    }

    @ParameterizedTest
    @MethodSource("captures")
    void stream(String capture) throws Exception {
        Golden.check(GOLDEN.resolve(capture + ".stream.txt"), normalize(Golden.transcript(server.post("/v1/chat/completions", request(capture, true)))));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void body(String capture) throws Exception {
        Golden.check(GOLDEN.resolve(capture + ".body.txt"), normalize(Golden.transcript(server.post("/v1/chat/completions", request(capture, false)))));
    }

}
