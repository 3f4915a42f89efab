package proxy.chat;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Token counts of one reply, as the Anthropic API reports them, and what the turn cost in US
 * dollars when the CLI said so: it does in its {@code result}, so a reply cut short by the
 * proxy, or one that ends in calls the client must answer, has none (the turn's whole cost
 * comes with the reply that ends it).
 */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens,
        Optional<BigDecimal> costUsd) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
        this(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, Optional.empty());
    }

    public Usage withOutputTokens(long output) {
        return new Usage(inputTokens, output, cacheCreationInputTokens, cacheReadInputTokens, costUsd);
    }

    public Usage withCost(Optional<BigDecimal> cost) {
        return new Usage(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, cost);
    }

    /** Both together; the cost is the sum of those known. */
    public Usage plus(Usage o) {
        Optional<BigDecimal> cost = costUsd.isEmpty() ? o.costUsd
                : o.costUsd.isEmpty() ? costUsd : Optional.of(costUsd.get().add(o.costUsd.get()));
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationInputTokens + o.cacheCreationInputTokens, cacheReadInputTokens + o.cacheReadInputTokens, cost);
    }

    /** This less {@code o}, never below zero; the cost less {@code o}'s if it has one. */
    public Usage minus(Usage o) {
        Optional<BigDecimal> cost = costUsd.map(c -> o.costUsd.map(oc -> c.subtract(oc).max(BigDecimal.ZERO)).orElse(c));
        return new Usage(Math.max(0, inputTokens - o.inputTokens), Math.max(0, outputTokens - o.outputTokens),
                Math.max(0, cacheCreationInputTokens - o.cacheCreationInputTokens),
                Math.max(0, cacheReadInputTokens - o.cacheReadInputTokens), cost);
    }

    /** As a record prints itself, the cost only when there is one (test goldens read these). */
    @Override
    public String toString() {
        return "Usage[inputTokens=" + inputTokens + ", outputTokens=" + outputTokens + ", cacheCreationInputTokens="
                + cacheCreationInputTokens + ", cacheReadInputTokens=" + cacheReadInputTokens
                + costUsd.map(c -> ", costUsd=" + c.toPlainString()).orElse("") + "]";
    }
}
