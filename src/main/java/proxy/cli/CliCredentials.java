package proxy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the CLI has something to log in with, judged from the environment it gets and its
 * login file, without running it. A CLI with none answers every prompt with "Not logged in"
 * (see {@link CliErrors}); the proxy still starts (a login may follow), but says so loudly.
 *
 * <p>What counts, as the CLI 2.1.331 reads it (its binary's strings): a non-empty
 * {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_AUTH_TOKEN} or {@code CLAUDE_CODE_OAUTH_TOKEN};
 * any of the cloud-provider switches ({@code CLAUDE_CODE_USE_BEDROCK}, {@code _VERTEX},
 * {@code _FOUNDRY}, ...), whose credentials live outside Anthropic's reach and are not checked;
 * or the file {@code claude auth login} writes, {@code .credentials.json} in the CLI's config
 * dir ({@code $CLAUDE_SECURESTORAGE_CONFIG_DIR}, else {@code $CLAUDE_CONFIG_DIR}, else
 * {@code $HOME/.claude}). On macOS the login is in the Keychain, which is not looked at: there
 * only the environment can be seen, and a missing file says nothing.
 *
 * <p>Not seen: an {@code apiKeyHelper} in a settings file (chat mode passes
 * {@code --setting-sources ""}, so it would not apply there anyway) and credentials handed over
 * on a file descriptor. A false alarm costs a warning line, never a refused request.
 */
public final class CliCredentials {

    /** The variables that hold a key or token themselves, in the order the answer names them. */
    private static final List<String> TOKENS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN");
    /** Switches to a cloud provider, whose own credentials (AWS, Google, Azure) the CLI uses. */
    private static final List<String> PROVIDERS = List.of("CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX",
            "CLAUDE_CODE_USE_FOUNDRY", "CLAUDE_CODE_USE_ANTHROPIC_AWS", "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
            "CLAUDE_CODE_USE_MANTLE", "CLAUDE_CODE_USE_GATEWAY");
    static final String FILE = ".credentials.json";
    private static final boolean KEYCHAIN = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac");

    private CliCredentials() {}

    /**
     * What the CLI would log in with: a variable's name, the provider switch, or the login
     * file's path; empty when it has nothing (it would answer "Not logged in").
     */
    public static Optional<String> source(Map<String, String> env) {
        return source(env, KEYCHAIN);
    }

    static Optional<String> source(Map<String, String> env, boolean keychain) {
        for (String name : TOKENS) {
            if (set(env, name)) {
                return Optional.of(name);
            }
        }
        for (String name : PROVIDERS) {
            if (set(env, name)) {
                return Optional.of(name);
            }
        }
        Optional<Path> file = loginFile(env);
        if (file.isPresent() && Files.isRegularFile(file.get())) {
            return Optional.of(file.get().toString());
        }
        return keychain ? Optional.of("macOS Keychain (not checked)") : Optional.empty();
    }

    /** Where {@code claude auth login} keeps the login on Linux: see the class comment. */
    static Optional<Path> loginFile(Map<String, String> env) {
        String secure = env.get("CLAUDE_SECURESTORAGE_CONFIG_DIR");
        if (secure != null && !secure.isBlank()) {
            return Optional.of(Path.of(secure, FILE));
        }
        return SessionSeed.configDir(env).map(dir -> dir.resolve(FILE));
    }

    /** What the operator can do about it, in one sentence; {@code claude} as the proxy was told to run it. */
    public static String advice(String claude) {
        return "log the CLI in with '" + claude + " auth login' (for the CLI ./run.sh installed: "
                + "'.claude-cli/node_modules/.bin/claude auth login'), or set ANTHROPIC_API_KEY or "
                + "CLAUDE_CODE_OAUTH_TOKEN (from 'claude setup-token') in the proxy's environment";
    }

    private static boolean set(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }
}
