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
        assertEquals(Optional.of("ANTHROPIC_API_KEY"), status.credentials());
    }

    @Test
    void versionsCompareByNumberNotText() {
        assertEquals(Optional.of(new CliVersionProbe.Version(2, 1, 331)), CliVersionProbe.Version.parse("2.1.331 (Claude Code)"));
        assertEquals(Optional.of(new CliVersionProbe.Version(10, 0, 2)), CliVersionProbe.Version.parse(" v10.0.2\n"));
        assertEquals(Optional.empty(), CliVersionProbe.Version.parse("Claude Code"));
        assertEquals(Optional.empty(), CliVersionProbe.Version.parse(""));
        assertTrue(new CliVersionProbe.Version(2, 1, 96).compareTo(CliVersionProbe.MINIMUM) < 0);
        assertTrue(new CliVersionProbe.Version(2, 1, 1000).compareTo(CliVersionProbe.MINIMUM) > 0);
        assertTrue(new CliVersionProbe.Version(3, 0, 0).compareTo(CliVersionProbe.MINIMUM) > 0);
        assertEquals(0, CliVersionProbe.Version.parse("2.1.197 (Claude Code)").orElseThrow().compareTo(CliVersionProbe.MINIMUM));
    }

    @Test
    void anOlderCliIsNotOk() {
        var status = CliVersionProbe.probe(FakeCli.SCRIPT.toString(),
                FakeCli.env(Map.of("FAKE_CLAUDE_VERSION", "2.1.196 (Claude Code)")));
        assertEquals(CliVersionProbe.Outcome.TOO_OLD, status.outcome());
        assertEquals(Optional.of("2.1.196 (Claude Code)"), status.version());
        assertEquals(Optional.of("the CLI is version 2.1.196, older than 2.1.197, the oldest that takes the flags the proxy passes"),
                status.error());
    }

    @Test
    void aVersionLineWithoutANumberIsLetThrough() {
        var status = CliVersionProbe.probe(FakeCli.SCRIPT.toString(), FakeCli.env(Map.of("FAKE_CLAUDE_VERSION", "wrapped claude")));
        assertTrue(status.ok(), status.toString());
    }

    @Test
    void aFileThatIsNotExecutableIsSaidSo(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("claude"), "#!/bin/sh\necho 2.1.331\n");
        var status = CliVersionProbe.probe(file.toString(), FakeCli.env(Map.of()));
        assertEquals(CliVersionProbe.Outcome.NOT_FOUND, status.outcome());
        assertEquals(Optional.of("the CLI '" + file + "' is not executable"), status.error());
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
