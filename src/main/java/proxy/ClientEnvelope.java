package proxy;

import com.sun.net.httpserver.HttpExchange;
import proxy.anthropic.AnthropicErrors;
import proxy.http.ErrorEnvelope;
import proxy.http.HttpError;
import proxy.openai.OpenAiErrors;

/**
 * The error envelope for paths both APIs share or neither owns: Anthropic clients always send
 * {@code anthropic-version}, OpenAI clients never do (api-contract.md §0.4, §3).
 */
final class ClientEnvelope implements ErrorEnvelope {

    static final ClientEnvelope INSTANCE = new ClientEnvelope();

    @Override
    public byte[] render(HttpError error, HttpExchange exchange) {
        boolean anthropic = exchange.getRequestHeaders().containsKey("anthropic-version");
        return (anthropic ? AnthropicErrors.ENVELOPE : OpenAiErrors.ENVELOPE).render(error, exchange);
    }
}
