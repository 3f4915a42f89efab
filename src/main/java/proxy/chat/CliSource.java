package proxy.chat;

/** How a request's reply got its CLI process: what the access log and metrics report. */
public enum CliSource {
    /** No CLI ran: the request was refused, or failed before one was placed. */
    NONE("none"),
    /** A spare the warm pool had started ahead of need. */
    POOLED("pooled"),
    /** The process kept from the conversation's previous turn. */
    LIVE("live"),
    /** The process that waited for the results of the client tool calls it made. */
    HELD("held"),
    /** Started for this request. */
    COLD("cold");

    private final String label;

    CliSource(String label) {
        this.label = label;
    }

    /** The lower-case word logs and metrics use. */
    public String label() {
        return label;
    }
}
