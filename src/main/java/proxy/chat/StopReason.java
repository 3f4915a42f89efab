package proxy.chat;

/** Why a reply ended, in the Anthropic API's terms; each API maps it to its own word. */
public enum StopReason {
    END_TURN("end_turn"),
    MAX_TOKENS("max_tokens"),
    STOP_SEQUENCE("stop_sequence"),
    TOOL_USE("tool_use"),
    PAUSE_TURN("pause_turn"),
    REFUSAL("refusal");

    private final String wireName;

    StopReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The reason for an Anthropic {@code stop_reason} value; unknown or null values count as a normal end. */
    public static StopReason fromWire(String value) {
        for (StopReason r : values()) {
            if (r.wireName.equals(value)) {
                return r;
            }
        }
        return END_TURN;
    }
}
