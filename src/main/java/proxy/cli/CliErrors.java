package proxy.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.json.Node;

/**
 * The one table from a CLI's failed {@code result} line to an error kind (and so an HTTP
 * status) and the client's message. API errors keep the upstream status, so a client's SDK sees
 * the same class of error it would see from the API itself; two upstream answers get a name and
 * advice of their own (below); failures of the CLI run are 502. Failures of the process itself
 * (it would not start: 503; too slow: 504; unreadable output or no result: 502) are decided
 * where they are seen, in {@link CliEngine}, {@link CliSession} and {@link CliEventReader#end}.
 *
 * <table>
 * <caption>result line → kind</caption>
 * <tr><th>seen</th><th>kind</th></tr>
 * <tr><td>"Not logged in · Please run /login" (no request made; the synthetic message's
 *     {@code error} is authentication_failed, no {@code api_error_status})</td><td>AUTHENTICATION 401,
 *     with this proxy's login advice</td></tr>
 * <tr><td>{@code api_error_status} 400 whose text says third-party apps draw from extra usage</td>
 *     <td>THIRD_PARTY_REFUSED 400</td></tr>
 * <tr><td>any other {@code api_error_status}</td><td>{@link #forApiStatus}</td></tr>
 * <tr><td>no status: subtype success (API unreachable), error_max_turns,
 *     error_max_structured_output_retries, error_during_execution, other</td><td>BAD_GATEWAY 502</td></tr>
 * </table>
 */
final class CliErrors {

    private static final String NO_CONVERSATION = "No conversation found";
    /** The CLI's words when it has no credentials (2.1.197 and 2.1.331 alike: capture not-logged-in). */
    private static final String NOT_LOGGED_IN = "Not logged in";
    /** The {@code error} of the CLI's synthetic message for a missing or refused login. */
    private static final String AUTHENTICATION_FAILED = "authentication_failed";

    static final String NOT_LOGGED_IN_MESSAGE = "The Claude CLI behind this proxy is not logged in, so it cannot answer. "
            + "On the proxy's machine, " + CliCredentials.advice("claude") + "; then retry.";

    /*
     * The subscription's refusal of a request it takes for a third-party app's, an HTTP 400
     * invalid_request_error. Its words, as users reported them (anthropics/claude-code#45911 and
     * #45048, April 2026; ianjwhite99/opencode-with-claude#91; lehdqlsl/opencode-claude-auth-sync#11;
     * elidickinson/pi-claude-bridge#49), vary in the credit and what to do next:
     *   "Third-party apps now draw from your extra usage, not your plan limits. We've added a $100
     *    credit to get you started. Claim it at claude.ai/settings/usage and keep going."
     *   "Third-party apps now draw from extra usage, not plan limits. We've added a credit to your
     *    organization to get you started. Ask your workspace admin to claim it and keep going."
     *   "Third-party apps now draw from your extra usage, not your plan limits. Add more at
     *    claude.ai/settings/usage and keep going."
     * so only the two phrases they share are matched, case and hyphen aside.
     */
    private static final String THIRD_PARTY_PREFIX = "Claude's subscription refused this request as coming from a "
            + "third-party app. It said: ";
    private static final String THIRD_PARTY_ADVICE = " (The proxy passes prompts on unchanged; the subscription "
            + "judges a request by its system prompt and tool names. What can change the outcome: the proxy run with "
            + "--system-prompt append, its default, which keeps Claude Code's own system prompt; fewer client tools, "
            + "or tools named differently; or an API key (ANTHROPIC_API_KEY) for the proxy, billed by the API.)";

    private CliErrors() {}

    /** Whether an upstream 400's text is the third-party-app refusal: see above. */
    static boolean thirdPartyRefusal(String text) {
        if (text == null) {
            return false;
        }
        String words = text.toLowerCase(Locale.ROOT).replace('-', ' ').replaceAll("\\s+", " ");
        return words.contains("third party app") && words.contains("extra usage");
    }

    /** The kind for an upstream API status the CLI reported in {@code api_error_status}. */
    static ErrorKind forApiStatus(long status) {
        return switch ((int) status) {
            case 400 -> ErrorKind.INVALID_REQUEST;
            case 401 -> ErrorKind.AUTHENTICATION;
            case 403 -> ErrorKind.PERMISSION;
            case 404 -> ErrorKind.NOT_FOUND;
            case 413 -> ErrorKind.REQUEST_TOO_LARGE;
            case 429 -> ErrorKind.RATE_LIMITED;
            case 500 -> ErrorKind.INTERNAL;
            case 503, 529 -> ErrorKind.OVERLOADED;
            default -> status >= 400 && status < 500 ? ErrorKind.INVALID_REQUEST : ErrorKind.BAD_GATEWAY;
        };
    }

    /**
     * The failure a {@code result} line with {@code is_error} (or a non-success subtype) stands for.
     *
     * @param apiError   the {@code error} field of the synthetic assistant message before it, if any
     * @param retryDelay the CLI's last announced retry delay: the client's wait, for a retryable kind
     */
    static ReplyEvent.Failed forResult(Node result, Optional<String> apiError, Optional<Duration> retryDelay) {
        long status = result.get("api_error_status").longValue(-1);
        String text = result.text("result");
        String subtype = String.valueOf(result.text("subtype"));
        if (status <= 0 && (startsWith(text, NOT_LOGGED_IN) || apiError.equals(Optional.of(AUTHENTICATION_FAILED)))) {
            return new ReplyEvent.Failed(ErrorKind.AUTHENTICATION, NOT_LOGGED_IN_MESSAGE);
        }
        if (status == 400 && thirdPartyRefusal(text)) {
            // 2.1.331 says "API Error: 400 <the API's message>"; Claude Code 2.1.9x put the API's whole body after it
            String said = text.strip().replaceFirst("^API Error: 400 ", "");
            return new ReplyEvent.Failed(ErrorKind.THIRD_PARTY_REFUSED, THIRD_PARTY_PREFIX + said + THIRD_PARTY_ADVICE);
        }
        if (status > 0) {
            ErrorKind kind = forApiStatus(status);
            String message = text != null ? text : "The Anthropic API answered " + status;
            if (kind == ErrorKind.AUTHENTICATION && message.contains("/login")) {
                // "... · Please run /login" means nothing to an API client: say what the operator runs
                message = message + " (on the proxy's machine, " + CliCredentials.advice("claude") + ")";
            }
            return new ReplyEvent.Failed(kind, message, kind.retryable() ? retryDelay : Optional.empty());
        }
        return switch (subtype) {
            case "success" -> new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, // e.g. the API could not be reached
                    text != null ? text : "The Claude CLI reported an error");
            case "error_max_turns" -> new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY,
                    "The Claude CLI stopped after its maximum number of turns");
            case "error_max_structured_output_retries" -> new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY,
                    "The model's answer did not match the JSON schema after the CLI's retries");
            case "error_during_execution" -> new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, sessionNotFound(result)
                    ? "The Claude CLI could not resume the conversation history"
                    : "The Claude CLI run was interrupted");
            default -> new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The Claude CLI failed (" + subtype + ")");
        };
    }

    /** Whether the result says {@code --resume} did not find the seeded session. */
    static boolean sessionNotFound(Node result) {
        return "error_during_execution".equals(result.text("subtype")) && result.get("errors").elements().stream()
                .anyMatch(e -> e.text() != null && e.text().startsWith(NO_CONVERSATION));
    }

    private static boolean startsWith(String text, String prefix) {
        return text != null && text.strip().toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT));
    }
}
