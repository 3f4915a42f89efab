package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake CLI is a test fixture with behaviour of its own; its self-test keeps it honest. */
class FakeCliSelfTest {

    @Test
    void fakeCliPassesItsSelfTest() throws Exception {
        ProxyProcess.Result r = ProxyProcess.run(
                List.of("bash", FakeCli.SCRIPT.resolveSibling("selftest.sh").toString()), Map.of());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }
}
