package proxy.cli;

import java.lang.System.Logger.Level;
import java.util.Optional;
import proxy.config.Config;
import proxy.config.ExitCode;

/**
 * What start-up checks of the CLI before the server listens: one {@code claude --version}
 * (nothing else of the CLI runs). A CLI that is missing, not executable, failing or too old
 * would fail every request, so the proxy does not start: {@link Failure} holds the one line
 * for stderr and the exit code. A CLI without credentials would answer every request with
 * "Not logged in", but a login may follow while the proxy runs: that is a loud warning only.
 */
public final class StartupCheck {

    private static final System.Logger LOG = System.getLogger(StartupCheck.class.getName());

    /** Why the proxy must not start: {@code message} is one line, without the program's name. */
    public record Failure(ExitCode code, String message) {}

    private StartupCheck() {}

    public static Optional<Failure> run(Config config) {
        String claude = config.claude();
        CliVersionProbe.Status cli = CliVersionProbe.probe(claude, config.env());
        String why = cli.error().orElse("");
        switch (cli.outcome()) {
            case NOT_FOUND -> {
                return Optional.of(new Failure(ExitCode.CLI_MISSING, why + " (./run.sh installs the tested version)"));
            }
            case FAILED -> {
                return Optional.of(new Failure(ExitCode.CLI_MISSING, "the Claude CLI '" + cli.path() + "' does not work: " + why));
            }
            case TOO_OLD -> {
                return Optional.of(new Failure(ExitCode.CLI_TOO_OLD, "the Claude CLI '" + cli.path() + "': " + why
                        + "; update it ('" + claude + " update') or let ./run.sh install the tested version"));
            }
            case OK -> { }
        }
        if (CliVersionProbe.Version.parse(cli.version().orElse("")).isEmpty()) {
            LOG.log(Level.WARNING, "cannot tell the Claude CLI''s version from ''{0}''; going on", cli.version().orElse(""));
        }
        LOG.log(Level.INFO, "Claude CLI {0}: {1}", cli.path(), cli.version().orElse(""));
        if (CliCredentials.source(config.env()).isEmpty()) {
            // one line, in capitals where it matters: it scrolls past with the start-up lines
            LOG.log(Level.WARNING, "the Claude CLI has NO CREDENTIALS: every request will fail with 401 until it has. "
                    + "To fix: " + CliCredentials.advice(claude) + ". /health says \"no_credentials\" until then.");
        }
        return Optional.empty();
    }
}
