package proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import proxy.cli.StartupCheck;
import proxy.config.Args;
import proxy.config.ExitCode;
import proxy.config.UsageException;

/** {@code claude-proxy}: command line → {@link proxy.config.Config} → {@link Server}. */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        oneLineLogs();
        ExitCode code = run(args, System.getenv(), System.out, System.err);
        if (code != null) {
            System.exit(code.value());
        }
        // null: the server runs on its own (non-daemon) dispatcher thread until SIGTERM/SIGINT
    }

    /**
     * One line per log record, for both System.Logger back ends: java.util.logging on the class
     * path, and the JDK's simple console logger in the jlink image, which has no java.logging.
     * An operator's own setting wins.
     */
    private static void oneLineLogs() {
        String format = "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n";
        for (String key : new String[] {"java.util.logging.SimpleFormatter.format", "jdk.system.logger.format"}) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, format);
            }
        }
    }

    /**
     * Starts the server and returns null, or returns the exit code when there is nothing to
     * serve: after --help or --version, or when the CLI is unusable (checked once, before listening).
     */
    static ExitCode run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Args.Parsed parsed;
        try {
            parsed = Args.parse(args, env);
        } catch (UsageException e) {
            err.println("claude-proxy: " + e.getMessage() + " (see --help)");
            return ExitCode.USAGE;
        }
        return switch (parsed) {
            case Args.Help h -> {
                out.print(Args.help());
                yield ExitCode.OK;
            }
            case Args.Version v -> {
                out.println("claude-proxy " + Version.VALUE);
                yield ExitCode.OK;
            }
            case Args.Run r -> {
                Optional<StartupCheck.Failure> unusable = StartupCheck.run(r.config());
                if (unusable.isPresent()) {
                    err.println("claude-proxy: " + unusable.get().message());
                    yield unusable.get().code();
                }
                try {
                    Server server = Server.start(r.config(), out);
                    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
                        server.close();
                        err.println("claude-proxy stopped");
                    }));
                    yield null;
                } catch (IOException e) {
                    err.println("claude-proxy: cannot listen on " + r.config().host() + ":" + r.config().port()
                            + ": " + e.getMessage());
                    yield ExitCode.CANNOT_START;
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "cannot start", e);
                    yield ExitCode.INTERNAL_ERROR;
                }
            }
        };
    }
}
