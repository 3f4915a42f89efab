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

    /** The test JVM's environment plus {@code extra}: what a proxy started by a test passes on to the CLI. */
    public static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("FAKE_CLAUDE_") || k.startsWith("CLAUDE_PROXY_"));
        env.put("FAKE_CLAUDE_CASES", CASES.toString());
        env.putAll(extra);
        return env;
    }

    static {
        if (!Files.isExecutable(SCRIPT)) {
            throw new IllegalStateException("fake CLI missing or not executable: " + SCRIPT);
        }
    }
}
