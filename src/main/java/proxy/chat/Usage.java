package proxy.chat;

/** Token counts of one reply, as the Anthropic API reports them. */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public Usage withOutputTokens(long output) {
        return new Usage(inputTokens, output, cacheCreationInputTokens, cacheReadInputTokens);
    }

    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationInputTokens + o.cacheCreationInputTokens, cacheReadInputTokens + o.cacheReadInputTokens);
    }

    /** This less {@code o}, never below zero. */
    public Usage minus(Usage o) {
        return new Usage(Math.max(0, inputTokens - o.inputTokens), Math.max(0, outputTokens - o.outputTokens),
                Math.max(0, cacheCreationInputTokens - o.cacheCreationInputTokens),
                Math.max(0, cacheReadInputTokens - o.cacheReadInputTokens));
    }
}
