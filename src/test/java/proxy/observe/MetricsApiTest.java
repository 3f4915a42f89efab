package proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import proxy.TestServer;
import proxy.json.Node;

/**
 * {@code GET /metrics} read as a scraper reads it, and its counters moving with requests; the
 * cost of a turn in its usage and header, for a second turn on a live process too.
 */
class MetricsApiTest {

    /** What the fake CLI's default case (01-stream-json) says its turn cost, in model_usage_since_last_result. */
    private static final BigDecimal TURN_COST = new BigDecimal("0.049436");
    private static final String ANSWER = "Hello! I am a fake model answering in deltas.";

    private static PrometheusText metrics(TestServer server) throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Optional.of("text/plain; version=0.0.4; charset=utf-8"), r.headers().firstValue("content-type"));
        return PrometheusText.parse(r.body());
    }

    /**
     * The metrics once the series {@code name} with {@code labels} has reached {@code count}: a
     * request is counted as its exchange ends, just after its client has the whole answer.
     */
    private static PrometheusText metricsOnce(TestServer server, double count, String name, String... labels) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            PrometheusText m = metrics(server);
            if (m.value(name, labels) >= count || System.nanoTime() > deadline) {
                return m;
            }
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> ask(TestServer server, String messages) throws Exception {
        return server.post("/v1/messages", "{\"model\":\"opus\",\"max_tokens\":100,\"messages\":" + messages + "}");
    }

    @Test
    void countersMoveWithRequestsAndAPoolHitIsCounted() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "1", "--live", "0")) {
            PrometheusText before = metrics(server);
            assertEquals(0, before.value("claude_proxy_cli_acquired_total", "source", "pooled"));

            assertEquals(200, ask(server, "[{\"role\":\"user\",\"content\":\"one\"}]").statusCode());
            // the first request taught the pool its shape: wait for the spare it starts
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (metrics(server).value("claude_proxy_cli_processes", "state", "spare") < 1) {
                assertTrue(System.nanoTime() < deadline, "a spare was started");
                Thread.sleep(20);
            }
            metricsOnce(server, 1, "claude_proxy_cli_acquired_total", "source", "cold");
            assertEquals(200, ask(server, "[{\"role\":\"user\",\"content\":\"two\"}]").statusCode());
            assertEquals(400, server.post("/v1/messages", "{\"model\":\"opus\",\"max_tokens\":5}").statusCode());

            PrometheusText after = metricsOnce(server, 3, "claude_proxy_request_duration_seconds_count", "route", "/v1/messages");
            assertEquals(2, after.value("claude_proxy_requests_total", "route", "/v1/messages", "method", "POST", "status", "200"));
            assertEquals(1, after.value("claude_proxy_requests_total", "route", "/v1/messages", "method", "POST", "status", "400"));
            assertEquals(1, after.value("claude_proxy_cli_acquired_total", "source", "cold"));
            assertEquals(1, after.value("claude_proxy_cli_acquired_total", "source", "pooled"));
            assertTrue(after.value("claude_proxy_cli_spawns_total") >= 2, "the cold start and the spare");
            assertEquals(2 * 12304, after.value("claude_proxy_tokens_total", "model", "opus", "type", "input"));
            assertEquals(2 * 11, after.value("claude_proxy_tokens_total", "model", "opus", "type", "output"));
            assertEquals(2 * TURN_COST.doubleValue(), after.value("claude_proxy_cost_usd_total", "model", "opus"), 1e-9);
            assertEquals(3, after.value("claude_proxy_request_duration_seconds_count", "route", "/v1/messages"));
            assertEquals(2, after.value("claude_proxy_time_to_first_token_seconds_count", "api", "anthropic"));
            assertEquals(0, after.value("claude_proxy_requests_in_flight"), "the scrape does not count itself");
        }
    }

    @Test
    void aRequestRefusedForWantOfACliIsCountedAs429() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--max-concurrent", "1", "--max-queue", "0", "--warm", "0")) {
            try (InputStream busy = server.streamThatHangs()) {
                HttpResponse<String> refused = server.post("/v1/chat/completions",
                        "{\"model\":\"opus\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(429, refused.statusCode(), refused.body());
                PrometheusText m = metricsOnce(server, 1, "claude_proxy_requests_total", "route", "/v1/chat/completions",
                        "method", "POST", "status", "429");
                assertEquals(1, m.value("claude_proxy_requests_total", "route", "/v1/chat/completions", "method", "POST",
                        "status", "429"));
                assertEquals(1, m.value("claude_proxy_streams_in_flight"), "the stream holding the slot");
                assertEquals(1, m.value("claude_proxy_cli_processes", "state", "running"));
            }
        }
    }

    @Test
    void theCostOfASecondTurnOnALiveProcessIsThatTurnsOwn() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0", "--live", "4")) {
            HttpResponse<String> first = ask(server, "[{\"role\":\"user\",\"content\":\"hi\"}]");
            assertEquals(200, first.statusCode(), first.body());
            assertEquals(Optional.of(TURN_COST.toPlainString()), first.headers().firstValue("x-claude-proxy-cost-usd"));

            HttpResponse<String> second = ask(server, "[{\"role\":\"user\",\"content\":\"hi\"},"
                    + "{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},{\"role\":\"user\",\"content\":\"again\"}]");
            assertEquals(200, second.statusCode(), second.body());
            // the CLI's total_cost_usd is now two turns' worth; the answer carries this turn's alone
            assertEquals(Optional.of(TURN_COST.toPlainString()), second.headers().firstValue("x-claude-proxy-cost-usd"));
            assertEquals(TURN_COST, new BigDecimal(Node.parse(second.body()).get("usage").get("cost_usd").decimalValue()
                    .orElseThrow().toPlainString()));
            assertEquals(1, metricsOnce(server, 1, "claude_proxy_cli_acquired_total", "source", "live")
                    .value("claude_proxy_cli_acquired_total", "source", "live"),
                    "the second turn ran on the kept process");
        }
    }

    @Test
    void streamsCarryTheCostInTheirFinalUsageNotInAHeader() throws Exception {
        try (TestServer server = TestServer.start(Map.of(), "--warm", "0")) {
            HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\":\"opus\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode());
            assertEquals(Optional.empty(), r.headers().firstValue("x-claude-proxy-cost-usd"));
            assertTrue(r.body().contains("\"cost_usd\":" + TURN_COST.toPlainString() + "}"), r.body());
        }
    }
}
