package proxy.config;

/**
 * Every setting the proxy reads, with its flag, environment variable and default as shown by
 * {@code --help}. Parsing lives in {@link Args}; this enum is the single list of names.
 */
public enum Option {
    CONFIG("config", "FILE", "$XDG_CONFIG_HOME/claude-proxy/config.env (else ~/.config/...) if it exists",
            "read settings from this file of CLAUDE_PROXY_NAME=value lines (below flags and environment)"),
    HOST("host", "ADDR", "127.0.0.1", "address to bind (loopback by default)"),
    PORT("port", "N", "8000", "port to listen on; 0 picks any free port"),
    API_KEY("api-key", "KEY", "none", "key every client request must carry (Authorization: Bearer KEY or x-api-key: KEY)"),
    API_KEY_FILE("api-key-file", "PATH", "none", "read the API key from the first line of this file"),
    ALLOW_UNAUTHENTICATED("allow-unauthenticated", null, "off", "allow a non-loopback --host without an API key"),
    CORS_ORIGINS("cors-origins", "LIST", "off", "origins browsers may call from (comma-separated, or *); off: no CORS"),
    CLAUDE("claude", "PATH", "claude on PATH", "the Claude Code CLI to run"),
    CWD("cwd", "DIR", "a private empty directory", "working directory of the CLI"),
    MAX_CONCURRENT("max-concurrent", "N", "8", "CLI turns running at once (spares and kept conversations have their own caps)"),
    MAX_QUEUE("max-queue", "N", "1000", "requests that may wait for a free CLI slot; beyond that: 429"),
    QUEUE_TIMEOUT("queue-timeout", "DURATION", "30s", "longest wait for a free CLI slot; then 429 with Retry-After"),
    WARM("warm", "N", "1", "spare CLI processes kept started per recent process shape (0 = no warm pool)"),
    WARM_KEYS("warm-keys", "N", "2", "how many recent process shapes (model, system text, limits) the pool keeps spares for"),
    WARM_IDLE("warm-idle", "DURATION", "10m", "a spare CLI unused this long is stopped"),
    LIVE("live", "N", "4", "finished conversations whose CLI is kept for the next turn (0 = none)"),
    LIVE_IDLE("live-idle", "DURATION", "5m", "a kept conversation's CLI is stopped after this long without a next turn"),
    TOOL_HOLD("tool-hold", "DURATION", "10m", "how long a CLI waits for the results of the client tool calls it made "
            + "(then the next request starts a new CLI with the history)"),
    RESPONSES_MAX("responses-max", "N", "1000", "Responses API objects kept for previous_response_id and GET /v1/responses "
            + "(0 = none)"),
    RESPONSES_AGE("responses-age", "DURATION", "1h", "a stored Responses API object is forgotten after this long"),
    REQUEST_TIMEOUT("request-timeout", "DURATION", "30s", "longest time a request may take to arrive, headers and body "
            + "(a client slower than that is cut off)"),
    MAX_CONNECTIONS("max-connections", "N", "4000", "client connections open at once; a new one beyond that is closed at once "
            + "(keep it well above --max-queue)"),
    MAX_HEADERS("max-headers", "N", "200", "request headers a request may have; more: refused by the HTTP server"),
    MAX_HEADER_BYTES("max-header-bytes", "N", "65536", "bytes of request headers a request may have; more: refused"),
    TIMEOUT("timeout", "DURATION", "600s", "longest time one request may take (90, 90s, 5m, PT5M)"),
    FIRST_EVENT_TIMEOUT("first-event-timeout", "DURATION", "60s", "longest wait for the CLI's first output"),
    IDLE_TIMEOUT("idle-timeout", "DURATION", "120s", "longest silence of the CLI once it has started"),
    KEEP_ALIVE("keep-alive", "DURATION", "10s", "keep-alive interval of a stream while the CLI is quiet"),
    CLI_MAX_RETRIES("cli-max-retries", "N", "2", "the CLI's own retries of a failing API call (CLAUDE_CODE_MAX_RETRIES)"),
    SYSTEM_PROMPT("system-prompt", "append|replace", "append",
            "append the client's system text to Claude Code's prompt, or replace it"),
    HISTORY("history", "auto|seed|flatten", "auto",
            "earlier turns as a seeded CLI session, as flattened text, or seeded with fallback"),
    MODELS("models", "LIST", Config.DEFAULT_MODELS, "model ids and aliases GET /v1/models lists (comma-separated)"),
    MODEL_MAP("model-map", "NAME=MODEL,...", "gpt-4o=sonnet and others (see README)",
            "what OpenAI model names run as; other names that are not Claude models get 404"),
    MAX_N("max-n", "N", "4", "largest OpenAI 'n' (choices run as parallel CLI processes)"),
    FETCH_IMAGES("fetch-images", "on|off", "off", "fetch http(s) image URLs for the CLI (off: such images get 400)"),
    MODE("mode", "chat|agent", "chat", "chat: no tools, no project settings; agent: Claude Code's tools"),
    TOOLS("tools", "LIST", "the CLI's own set", "agent mode: tools the CLI may use (its --tools)"),
    ALLOWED_TOOLS("allowed-tools", "LIST", "none", "agent mode: tools that run without a permission check (--allowedTools)"),
    PERMISSION_MODE("permission-mode", "MODE", "the CLI's own", "agent mode: the CLI's --permission-mode "
            + "(bypassPermissions only if given here)"),
    LOG_LEVEL("log-level", "LEVEL", "info", "error, warning, info, debug or trace: the proxy's own loggers' level "
            + "(other loggers: info, or this if stricter)"),
    LOG_FORMAT("log-format", "text|json", "text", "log records on stderr as text lines, or one JSON object per line"),
    LOG_BODIES("log-bodies", null, "off", "let log records carry prompt and completion text");

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

    /** Whether this is an on/off switch, given as a bare {@code --flag} (or {@code --flag=on|off}). */
    public boolean isSwitch() {
        return metavar == null;
    }

    /** What follows the flag in {@code --help}; empty for a switch. */
    public String metavar() {
        return metavar == null ? "" : metavar;
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
