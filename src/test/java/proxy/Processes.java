package proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Process checks for tests. */
public final class Processes {

    private Processes() {
    }

    /**
     * Whether {@code pid} is a running process. A zombie is not: an orphan killed here stays a
     * zombie when PID 1 does not reap, and {@code ProcessHandle.isAlive} still says true for it.
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** The pids the fake CLI wrote to its pidfile, by role ("self", "grandchild"). */
    public static long pid(Path pidfile, String role) throws IOException {
        List<String> lines = Files.readAllLines(pidfile);
        return lines.stream().filter(l -> l.startsWith(role + " ")).mapToLong(l -> Long.parseLong(l.substring(role.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + role + " in " + lines));
    }

    /**
     * Asserts that the fake CLI of {@code pidfile} and its grandchild are gone. The proxy notices
     * a hang-up at its next write, so this waits for that, bounded.
     */
    public static void assertTreeKilled(Path pidfile) throws IOException {
        long cli = pid(pidfile, "self");
        long grandchild = pid(pidfile, "grandchild");
        waitUntil(() -> !running(cli) && !running(grandchild), Duration.ofSeconds(10));
        org.junit.jupiter.api.Assertions.assertFalse(running(cli), "the CLI was killed");
        org.junit.jupiter.api.Assertions.assertFalse(running(grandchild), "its child too");
    }

    /** Waits (parked, not spinning) until {@code condition} holds or {@code limit} passed; whether it holds. */
    public static boolean waitUntil(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }
}
