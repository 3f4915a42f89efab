package proxy.cli;

import java.util.Map;

/**
 * The engine's counters at one moment, for {@code /metrics} and the status page.
 *
 * @param spawns CLI processes started since the proxy started (spares included)
 * @param ended  processes ended by the engine, by reason (see {@link CliEngine}'s retire calls)
 * @param spares spare processes waiting in the warm pool now
 * @param live   finished conversations whose process is kept now
 * @param held   processes waiting now for the results of client tool calls
 * @param running processes running a turn now
 */
public record CliStats(long spawns, Map<String, Long> ended, int spares, int live, int held, int running) {}
