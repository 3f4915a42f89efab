package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import proxy.FakeCli;

class CliVersionProbeTest {

    @Test
    void reportsTheVersionLine() {
        var status = new CliVersionProbe(FakeCli.SCRIPT.toString(), FakeCli.env(Map.of())).status();
        assertTrue(status.ok());
        assertEquals(Optional.of("2.1.331 (Claude Code)"), status.version());
        assertEquals(FakeCli.SCRIPT.toString(), status.path());
    }

    @Test
    void findsABareNameOnThePathOfTheGivenEnvironment() {
        Map<String, String> env = FakeCli.env(Map.of("PATH", FakeCli.SCRIPT.getParent() + ":/usr/bin:/bin"));
        var status = new CliVersionProbe("claude", env).status();
        assertTrue(status.ok(), status.toString());
        assertEquals(FakeCli.SCRIPT.toString(), status.path());
    }

    @Test
    void missingCliIsReportedWithTheReason() {
        var status = new CliVersionProbe("claude-nowhere-to-be-found", FakeCli.env(Map.of("PATH", "/nonexistent"))).status();
        assertFalse(status.ok());
        assertEquals(Optional.empty(), status.version());
        assertEquals(Optional.of("'claude-nowhere-to-be-found' was not found on PATH; install Claude Code or pass --claude"),
                status.error());
    }

    @Test
    void failingCliIsReportedWithItsExitCodeAndOutput() {
        var status = new CliVersionProbe(FakeCli.SCRIPT.toString(),
                FakeCli.env(Map.of("FAKE_CLAUDE_VERSION_EXIT", "3"))).status();
        assertFalse(status.ok());
        assertEquals(Optional.of("'claude --version' exited with 3: fake claude: broken"), status.error());
    }

    @Test
    void probesAtMostOncePerMaxAge(@TempDir Path tmp) throws IOException {
        Path log = tmp.resolve("version.log");
        AtomicLong now = new AtomicLong();
        var probe = new CliVersionProbe(FakeCli.SCRIPT.toString(),
                FakeCli.env(Map.of("FAKE_CLAUDE_VERSION_LOG", log.toString())), Duration.ofSeconds(60), now::get);

        probe.status();
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        probe.status();
        assertEquals(1, Files.readAllLines(log).size(), "cached within 60 s");

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertTrue(probe.status().ok());
        assertEquals(2, Files.readAllLines(log).size(), "probed again after 60 s");
    }
}
