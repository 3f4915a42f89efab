package proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The pipes of one CLI process. */
class CliProcessTest {

    /**
     * A turn waiting on a CLI that is killed (shutdown kills the running ones) gets the end of
     * its output, so its stream ends at once with an error event. Closing once interrupted the
     * stdout reader, which then could not queue that end: the turn waited on until its idle
     * timeout and shutdown cut the client off. The loss was a race: the end came after the
     * interrupt whenever stdout closed late, as it does here, where a process outside the CLI's
     * tree (started in the background by a subshell that exited, so re-parented) holds it a
     * little longer.
     */
    @Test
    void aTurnWaitingOnAKilledProcessAlwaysGetsItsEnd() throws Exception {
        ExecutorService pipes = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
        try {
            for (int round = 0; round < 3; round++) {
                CliProcess process = CliProcess.start(List.of("/bin/sh", "-c", "echo ready; (sleep 0.5 &); exec sleep 100"),
                        Map.of("PATH", "/usr/bin:/bin"), Path.of("."), 1 << 16, pipes);
                assertEquals(new CliProcess.Output.Line("ready"), process.next(Duration.ofSeconds(10)));
                Thread closer = Thread.ofPlatform().start(process::close);
                CliProcess.Output last = process.next(Duration.ofSeconds(5));
                assertInstanceOf(CliProcess.Output.End.class, last, "round " + round + ": the end of its output");
                closer.join();
            }
        } finally {
            pipes.shutdownNow();
        }
    }
}
