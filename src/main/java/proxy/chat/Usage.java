package proxy.chat;

/** Token counts of one reply, as the Anthropic API reports them. */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public Usage withOutputTokens(long output) {
        return new Usage(inputTokens, output, cacheCreationInputTokens, cacheReadInputTokens);
    }
}
