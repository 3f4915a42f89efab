package proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The fake {@code claude} of the test suite: a bash script that replays a recorded CLI run from
 * {@code src/test/resources/cli-captures} and misbehaves on demand. Knobs are environment
 * variables ({@code FAKE_CLAUDE_MODE=hang}, ...) or {@code fake:mode=hang} in the prompt; see
 * the script's header.
 */
public final class FakeCli {

    /** The script in the source tree: resource copying would drop its executable bit. */
    public static final Path SCRIPT = Path.of("src/test/resources/fake-claude/claude").toAbsolutePath();
    public static final Path CASES = Path.of("src/test/resources/cli-captures").toAbsolutePath();

    private FakeCli() {
    }

    /**
     * A key for the fake CLI, so that the proxy sees credentials whatever the machine has:
     * {@code /health} says "ok" rather than "no_credentials". A test of a CLI without
     * credentials passes {@code ANTHROPIC_API_KEY=""} (blank counts as unset) and its own HOME.
     */
    public static final String API_KEY = "sk-ant-fake-for-tests";

    /** A config directory that does not exist: no default config file is read by a test's proxy. */
    static final Path NO_CONFIG_HOME = Path.of("target/no-config-home").toAbsolutePath();

    /**
     * The test JVM's environment, less any real Claude credentials, plus {@link #API_KEY} and
     * {@code extra}: what a proxy started by a test passes on to the CLI. No default config file
     * is read (a test that wants one passes its own {@code XDG_CONFIG_HOME}).
     */
    public static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        // CLAUDE_*: the proxy's own settings and the CLI's (config dir, OAuth token, providers)
        env.keySet().removeIf(k -> k.startsWith("FAKE_CLAUDE_") || k.startsWith("CLAUDE_") || k.startsWith("ANTHROPIC_"));
        env.put("ANTHROPIC_API_KEY", API_KEY);
        env.put("FAKE_CLAUDE_CASES", CASES.toString());
        // a config file of the developer's (~/.config/claude-proxy/config.env) must not change what tests start
        env.put("XDG_CONFIG_HOME", NO_CONFIG_HOME.toString());
        env.putAll(extra);
        return env;
    }

    static {
        if (!Files.isExecutable(SCRIPT)) {
            throw new IllegalStateException("fake CLI missing or not executable: " + SCRIPT);
        }
    }
}
