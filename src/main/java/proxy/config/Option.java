package proxy.config;

/**
 * Every setting the proxy reads, with its flag, environment variable and default as shown by
 * {@code --help}. Parsing lives in {@link Args}; this enum is the single list of names.
 */
public enum Option {
    HOST("host", "ADDR", "127.0.0.1", "address to bind (loopback by default)"),
    PORT("port", "N", "8000", "port to listen on; 0 picks any free port"),
    CLAUDE("claude", "PATH", "claude on PATH", "the Claude Code CLI to run"),
    CWD("cwd", "DIR", "a private empty directory", "working directory of the CLI"),
    MAX_CONCURRENT("max-concurrent", "N", "8", "CLI processes running at once"),
    TIMEOUT("timeout", "DURATION", "600s", "longest time one request may take (90, 90s, 5m, PT5M)");

    private final String flag;
    private final String metavar;
    private final String defaultText;
    private final String help;

    Option(String name, String metavar, String defaultText, String help) {
        this.flag = "--" + name;
        this.metavar = metavar;
        this.defaultText = defaultText;
        this.help = help;
    }

    public String flag() {
        return flag;
    }

    /** {@code CLAUDE_PROXY_} + the flag name in upper snake case, e.g. {@code CLAUDE_PROXY_MAX_CONCURRENT}. */
    public String envVar() {
        return "CLAUDE_PROXY_" + name();
    }

    public String metavar() {
        return metavar;
    }

    public String defaultText() {
        return defaultText;
    }

    public String help() {
        return help;
    }

    static Option byFlag(String flag) {
        for (Option o : values()) {
            if (o.flag.equals(flag)) {
                return o;
            }
        }
        return null;
    }
}
