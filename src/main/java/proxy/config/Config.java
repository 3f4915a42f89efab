package proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the proxy was told at start, parsed once by {@link Args} and passed down through
 * constructors. Immutable.
 *
 * @param host          address to bind
 * @param port          port to bind; 0 = any free port
 * @param claude        the CLI as given: a path (contains a slash) or a name looked up on the PATH of {@code env}
 * @param cwd           the CLI's working directory; empty = a private directory the server creates and removes
 * @param maxConcurrent CLI processes running at once
 * @param timeout       longest time one request may take
 * @param env           the environment the proxy was started with; the CLI inherits it
 */
public record Config(
        String host,
        int port,
        String claude,
        Optional<Path> cwd,
        int maxConcurrent,
        Duration timeout,
        Map<String, String> env) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final String DEFAULT_CLAUDE = "claude";
    public static final int DEFAULT_MAX_CONCURRENT = 8;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

    public Config {
        env = Map.copyOf(env);
    }
}
