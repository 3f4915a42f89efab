package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI would log in with, from the environment it gets and its login file. */
class CliCredentialsTest {

    @TempDir
    Path home;

    private Optional<String> linux(Map<String, String> env) {
        return CliCredentials.source(env, false);
    }

    @Test
    void nothingToLogInWith() {
        assertEquals(Optional.empty(), linux(Map.of("HOME", home.toString())));
        assertEquals(Optional.empty(), linux(Map.of()), "no HOME, no config dir: nothing to look at");
    }

    @Test
    void aKeyOrTokenInTheEnvironmentIsNamedNeverShown() {
        assertEquals(Optional.of("ANTHROPIC_API_KEY"), linux(Map.of("HOME", home.toString(), "ANTHROPIC_API_KEY", "sk-1")));
        assertEquals(Optional.of("CLAUDE_CODE_OAUTH_TOKEN"), linux(Map.of("CLAUDE_CODE_OAUTH_TOKEN", "t")));
        assertEquals(Optional.of("ANTHROPIC_AUTH_TOKEN"), linux(Map.of("ANTHROPIC_AUTH_TOKEN", "t")));
        assertEquals(Optional.of("CLAUDE_CODE_USE_BEDROCK"), linux(Map.of("CLAUDE_CODE_USE_BEDROCK", "1")));
        assertEquals(Optional.of("CLAUDE_CODE_USE_VERTEX"), linux(Map.of("CLAUDE_CODE_USE_VERTEX", "1")));
    }

    @Test
    void aBlankValueIsNoCredential() {
        assertEquals(Optional.empty(), linux(Map.of("HOME", home.toString(), "ANTHROPIC_API_KEY", " ", "CLAUDE_CODE_OAUTH_TOKEN", "")));
    }

    @Test
    void theLoginFileUnderHomeOrTheConfigDir() throws IOException {
        Path file = Files.createDirectories(home.resolve(".claude")).resolve(".credentials.json");
        Files.writeString(file, "{}");
        assertEquals(Optional.of(file.toString()), linux(Map.of("HOME", home.toString())));

        Path config = Files.createDirectories(home.resolve("elsewhere"));
        assertEquals(Optional.empty(), linux(Map.of("HOME", home.toString(), "CLAUDE_CONFIG_DIR", config.toString())),
                "with CLAUDE_CONFIG_DIR the CLI looks there only");
        Files.writeString(config.resolve(".credentials.json"), "{}");
        assertEquals(Optional.of(config.resolve(".credentials.json").toString()),
                linux(Map.of("HOME", home.toString(), "CLAUDE_CONFIG_DIR", config.toString())));
        assertEquals(Optional.of(config.resolve(".credentials.json").toString()),
                linux(Map.of("CLAUDE_SECURESTORAGE_CONFIG_DIR", config.toString())));
    }

    @Test
    void onMacOsTheKeychainIsAssumedNotSeen() {
        assertEquals(Optional.of("macOS Keychain (not checked)"), CliCredentials.source(Map.of("HOME", home.toString()), true));
    }
}
