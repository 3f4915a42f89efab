package proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the proxy was told at start, parsed once by {@link Args} and passed down through
 * constructors. Immutable.
 *
 * @param host              address to bind
 * @param port              port to bind; 0 = any free port
 * @param claude            the CLI as given: a path (contains a slash) or a name looked up on the PATH of {@code env}
 * @param cwd               the CLI's working directory; empty = a private directory the server creates and removes
 * @param maxConcurrent     CLI processes running at once
 * @param maxQueue          requests that may wait for a slot
 * @param queueTimeout      longest wait for a slot
 * @param reuse             which CLI processes outlive a request, and for how long
 * @param timeout           longest time one request may take
 * @param firstEventTimeout longest wait for the CLI's first output line
 * @param idleTimeout       longest silence between two output lines
 * @param keepAlive         how often a stream gets a keep-alive while the CLI is quiet
 * @param cliMaxRetries     the CLI's own retries of a failed API call
 * @param systemPrompt      what the client's system text does to Claude Code's own prompt
 * @param history           how earlier turns reach the CLI
 * @param models            what {@code GET /v1/models} lists
 * @param modelMap          OpenAI model names and the Claude model each runs as
 * @param maxN              largest OpenAI {@code n}
 * @param fetchImages       whether image URLs are fetched (else refused)
 * @param responses         how many Responses API objects are kept, and how long
 * @param mode              chat (no tools) or agent (Claude Code's tools)
 * @param tools             agent mode: the CLI's {@code --tools}
 * @param allowedTools      agent mode: the CLI's {@code --allowedTools}
 * @param permissionMode    agent mode: the CLI's {@code --permission-mode}
 * @param env               the environment the proxy was started with (less the API key); the CLI inherits it
 * @param access            who may call the client APIs: the API key and the CORS origins
 * @param connections       how long a request may take to arrive, and how many connections may be open
 * @param logging           the proxy's log level and format, and whether logs may carry prompt and completion text
 */
public record Config(
        String host,
        int port,
        String claude,
        Optional<Path> cwd,
        int maxConcurrent,
        int maxQueue,
        Duration queueTimeout,
        Reuse reuse,
        Duration timeout,
        Duration firstEventTimeout,
        Duration idleTimeout,
        Duration keepAlive,
        int cliMaxRetries,
        SystemPrompt systemPrompt,
        History history,
        List<String> models,
        Map<String, String> modelMap,
        int maxN,
        boolean fetchImages,
        Responses responses,
        Mode mode,
        Optional<String> tools,
        Optional<String> allowedTools,
        Optional<String> permissionMode,
        Map<String, String> env,
        Access access,
        Connections connections,
        Logging logging) {

    /**
     * How the proxy logs (to stderr, through its own {@code System.LoggerFinder}, {@code proxy.log}).
     *
     * @param level  the threshold of the proxy's own loggers (names starting with {@code proxy.});
     *               other loggers keep INFO unless this is stricter
     * @param format text lines, or one JSON object per line
     * @param bodies whether log records may carry prompt and completion text (off: never)
     */
    public record Logging(System.Logger.Level level, LogFormat format, boolean bodies) {}

    public enum LogFormat {
        /** {@code 2026-12-04 17:00:00 INFO proxy.Server: message}, a stack trace on the lines after it. */
        TEXT,
        /** {@code {"time":...,"level":...,"logger":...,"message":...,"error":...}}, one per line. */
        JSON
    }

    public static final Logging DEFAULT_LOGGING = new Logging(System.Logger.Level.INFO, LogFormat.TEXT, false);

    /**
     * What a client connection may take, enforced by the JDK server (its properties
     * {@code sun.net.httpserver.maxReqTime}, {@code jdk.httpserver.maxConnections},
     * {@code sun.net.httpserver.maxReqHeaders} and {@code sun.net.httpserver.maxReqHeaderSize},
     * read once per JVM when the first server starts).
     *
     * @param requestTimeout the longest time a request may take to arrive, headers and body: a
     *                       client sending it byte by byte is cut off
     * @param max            open connections at most; the JDK server closes a new one beyond that at once
     * @param maxHeaders     request headers at most
     * @param maxHeaderBytes bytes of request headers at most (names, values and line ends)
     */
    public record Connections(Duration requestTimeout, int max, int maxHeaders, int maxHeaderBytes) {}

    /** The SDKs send about twenty headers of a few KB; the JDK's own defaults are 200 and 384 KB. */
    public static final Connections DEFAULT_CONNECTIONS = new Connections(Duration.ofSeconds(30), 4000, 200, 64 * 1024);

    /**
     * CLI processes that outlive a request: spares started ahead of need, and the process of a
     * finished conversation kept for its next turn. Each waiting CLI holds ~160 MB.
     *
     * @param warm     spare processes per process shape (0: no pool)
     * @param warmKeys how many recently used process shapes get spares
     * @param warmIdle a spare unused this long is stopped
     * @param live     finished conversations kept with their process (0: none)
     * @param liveIdle a kept conversation is stopped after this long without a next turn
     * @param toolHold a CLI whose client tool calls are held waits this long for the client's results
     */
    public record Reuse(int warm, int warmKeys, Duration warmIdle, int live, Duration liveIdle, Duration toolHold) {}

    /**
     * Responses API objects kept for {@code previous_response_id} and {@code GET /v1/responses/{id}}.
     *
     * @param max    how many are kept (0: none; the oldest goes first)
     * @param maxAge one is forgotten after this long
     */
    public record Responses(int max, Duration maxAge) {}

    /**
     * Who may call the client APIs (not the MCP tool listener, which has its own per-conversation tokens).
     *
     * @param apiKey      the key every client request must carry; empty = no key
     * @param corsOrigins origins a browser may call from ({@code *} = any); empty = CORS off
     */
    public record Access(Optional<ApiKey> apiKey, List<String> corsOrigins) {
        public Access {
            corsOrigins = List.copyOf(corsOrigins);
        }
    }

    public static final Access OPEN = new Access(Optional.empty(), List.of());

    /**
     * The proxy's API key. Its {@code toString} hides it, so that no log line or printed
     * {@code Config} shows it.
     */
    public record ApiKey(String value) {
        public ApiKey {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("empty API key");
            }
        }

        @Override
        public String toString() {
            return "ApiKey[hidden]";
        }
    }

    public static final Responses DEFAULT_RESPONSES = new Responses(1000, Duration.ofHours(1));

    /** What the client's system text does to Claude Code's own system prompt. */
    public enum SystemPrompt {
        /** {@code --append-system-prompt}: keeps Claude Code's prompt (and how subscription traffic is classed). */
        APPEND,
        /** {@code --system-prompt}: the client's text replaces Claude Code's prompt. */
        REPLACE
    }

    /** How earlier turns of a conversation reach the CLI. */
    public enum History {
        /** A seeded session; if the CLI cannot resume it, flattened text from then on. */
        AUTO,
        /** A seeded session file passed with {@code --resume}. */
        SEED,
        /** The earlier turns written out as text before the question. */
        FLATTEN
    }

    public enum Mode {
        /** No tools, no MCP servers, no project or user settings: the CLI only talks. */
        CHAT,
        /** Claude Code's tools, as the operator configured them. */
        AGENT
    }

    /** The CLI's {@code --permission-mode} choices (2.1.331 lists all but {@code default}, which 2.1.197 has). */
    public static final List<String> PERMISSION_MODES =
            List.of("default", "acceptEdits", "auto", "manual", "dontAsk", "plan", "bypassPermissions");

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final String DEFAULT_CLAUDE = "claude";
    public static final int DEFAULT_MAX_CONCURRENT = 8;
    public static final int DEFAULT_MAX_QUEUE = 1000;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * One spare for each of the two most recent shapes and four kept conversations: at ~160 MB a
     * CLI, at most ~1 GB of idle processes on a laptop, for a first answer ~4x and a follow-up
     * ~12x sooner (PERFORMANCE.md).
     */
    public static final Reuse DEFAULT_REUSE = new Reuse(1, 2, Duration.ofMinutes(10), 4, Duration.ofMinutes(5),
            Duration.ofMinutes(10));
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    public static final Duration DEFAULT_FIRST_EVENT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(10);
    public static final int DEFAULT_CLI_MAX_RETRIES = 2;
    /** The models of the pinned CLI (2.1.331) and its aliases for them. */
    public static final String DEFAULT_MODELS = "claude-opus-5-5,claude-sonnet-5-5,claude-haiku-5-5,opus,sonnet,haiku";
    /** OpenAI model names clients are often fixed on, each run as the Claude model of its class. */
    public static final String DEFAULT_MODEL_MAP = "gpt-4o=sonnet,gpt-4o-mini=haiku,gpt-4.1=sonnet,gpt-4.1-mini=haiku,"
            + "gpt-4.1-nano=haiku,gpt-4-turbo=sonnet,gpt-4=sonnet,gpt-3.5-turbo=haiku,gpt-5=opus,gpt-5-mini=sonnet,"
            + "gpt-5-nano=haiku,o1=opus,o3=opus,o3-mini=sonnet,o4-mini=sonnet,"
            // the names Codex and the Agents SDK ask for
            + "gpt-5-codex=opus,gpt-5.1=opus,gpt-5.1-codex=opus,gpt-5.1-codex-max=opus,gpt-5.1-codex-mini=sonnet,"
            + "gpt-5.2=opus,gpt-5.2-codex=opus,codex-mini-latest=sonnet";
    public static final int DEFAULT_MAX_N = 4;

    public Config {
        models = List.copyOf(models);
        modelMap = Map.copyOf(modelMap);
        env = Map.copyOf(env);
    }

    /** A copy with another environment (tests give the fake CLI its knobs this way). */
    public Config withEnv(Map<String, String> newEnv) {
        return new Config(host, port, claude, cwd, maxConcurrent, maxQueue, queueTimeout, reuse, timeout, firstEventTimeout, idleTimeout,
                keepAlive, cliMaxRetries, systemPrompt, history, models, modelMap, maxN, fetchImages, responses, mode, tools, allowedTools, permissionMode, newEnv,
                access, connections, logging);
    }
}
