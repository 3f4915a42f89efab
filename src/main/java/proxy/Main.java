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
import proxy.log.ProxyLoggerFinder;

/** {@code claude-proxy}: command line → {@link proxy.config.Config} → {@link Server}. */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        // LOG above made the JDK load proxy.log's finder: records before the configuration is known are INFO text
        ExitCode code = run(args, System.getenv(), System.out, System.err);
        if (code != null) {
            System.exit(code.value());
        }
        // null: the server runs on its own (non-daemon) dispatcher thread until SIGTERM/SIGINT
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
            case Args.PrintConfig p -> {
                out.print(p.text());
                yield ExitCode.OK;
            }
            case Args.Run r -> {
                ProxyLoggerFinder.configure(r.config().logging());
                Optional<StartupCheck.Failure> unusable = StartupCheck.run(r.config());
                if (unusable.isPresent()) {
                    err.println("claude-proxy: " + unusable.get().message());
                    yield unusable.get().code();
                }
                try {
                    Server server = Server.start(r.config(), out);
                    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
                        server.close();
                        LOG.log(Level.INFO, "claude-proxy stopped"); // a log record, so that it is JSON with --log-format json
                    }));
                    yield null;
                } catch (IOException e) {
                    LOG.log(Level.ERROR, "claude-proxy: cannot listen on " + r.config().host() + ":" + r.config().port()
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
