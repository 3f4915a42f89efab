package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent.Failed;
import proxy.json.Json;
import proxy.json.Node;

/** The table from a CLI's failed result line to the client's error: the rows captures do not cover. */
class CliErrorsTest {

    /** The refusal as users reported it from Claude Code 2.1.9x (anthropics/claude-code#45911): the API's body in the text. */
    static final String REFUSAL_AS_REPORTED = "API Error: 400 {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
            + "\"message\":\"Third-party apps now draw from your extra usage, not your plan limits. We've added a $100 credit "
            + "to get you started. Claim it at claude.ai/settings/usage and keep going.\"},\"request_id\":\"req_011CZtoV3tWs3pA3ugPCZmxe\"}";

    /** A result line as the CLI prints it for an API error (capture 65-err-400), with this status and text. */
    private static Node result(long status, String text) throws IOException {
        byte[] json = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "result");
            g.writeStringField("subtype", "success");
            g.writeBooleanField("is_error", true);
            g.writeNumberField("api_error_status", status);
            g.writeStringField("result", text);
            g.writeEndObject();
        });
        return Node.parse(new String(json, StandardCharsets.UTF_8));
    }

    @Test
    void theThirdPartyRefusalIsNamedAndNotRetried() throws IOException {
        Failed f = CliErrors.forResult(result(400, REFUSAL_AS_REPORTED), Optional.of("unknown"), Optional.of(Duration.ofSeconds(3)));
        assertEquals(ErrorKind.THIRD_PARTY_REFUSED, f.kind());
        assertEquals(400, f.kind().status());
        assertFalse(f.kind().retryable());
        assertEquals(Optional.empty(), f.retryAfter());
        assertTrue(f.message().startsWith("Claude's subscription refused this request as coming from a third-party app. "
                + "It said: {\"type\":\"error\""), f.message());
        assertTrue(f.message().contains("Third-party apps now draw from your extra usage"), "the upstream's words are kept");
        assertTrue(f.message().contains("--system-prompt append"), f.message());
        assertTrue(f.message().contains("tools"), f.message());
    }

    @Test
    void everyReportedWordingOfTheRefusalMatches() {
        for (String text : new String[] {
                REFUSAL_AS_REPORTED,
                "Third-party apps now draw from extra usage, not plan limits. We've added a credit to your organization "
                        + "to get you started. Ask your workspace admin to claim it and keep going.",
                "API Error: 400 Third-party apps now draw from your extra usage, not your plan limits. Add more at "
                        + "claude.ai/settings/usage and keep going.",
                "third party apps now draw from your\nextra usage"}) {
            assertTrue(CliErrors.thirdPartyRefusal(text), text);
        }
        for (String text : new String[] {null, "API Error: 400 messages: text content blocks must be non-empty",
                "Extra usage is required for long context requests", "third-party tool_use ids must be unique"}) {
            assertFalse(CliErrors.thirdPartyRefusal(text), text);
        }
    }

    @Test
    void onlyA400IsARefusal() throws IOException {
        Failed f = CliErrors.forResult(result(429, REFUSAL_AS_REPORTED), Optional.empty(), Optional.empty());
        assertEquals(ErrorKind.RATE_LIMITED, f.kind(), "a 429 stays a 429, whatever its words");
        assertEquals(ErrorKind.INVALID_REQUEST,
                CliErrors.forResult(result(400, "API Error: 400 messages: bad"), Optional.empty(), Optional.empty()).kind());
    }

    @Test
    void anUpstream401AskingForLoginGetsTheProxysAdvice() throws IOException {
        Failed f = CliErrors.forResult(result(401, "OAuth token has expired · Please run /login"),
                Optional.of("authentication_failed"), Optional.empty());
        assertEquals(ErrorKind.AUTHENTICATION, f.kind());
        assertTrue(f.message().startsWith("OAuth token has expired · Please run /login (on the proxy's machine, log the CLI in"),
                f.message());
        assertEquals("Invalid API key · Fix external API key", CliErrors.forResult(
                result(401, "Invalid API key · Fix external API key"), Optional.empty(), Optional.empty()).message());
    }
}
