package proxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import proxy.FakeCli;
import proxy.chat.Conversation;
import proxy.config.Args;
import proxy.config.Config;

/** Engines on the fake CLI for one test, each closed by {@link #close}. */
final class FakeEngines implements AutoCloseable {

    private final Path tmp;
    private final List<String> defaultFlags;
    private final List<CliEngine> engines = new ArrayList<>();

    /** Engines with HOME and the CLI's cwd under {@code tmp}, and {@code defaultFlags} before each one's own. */
    FakeEngines(Path tmp, String... defaultFlags) {
        this.tmp = tmp;
        this.defaultFlags = List.of(defaultFlags);
    }

    /** An engine with the given fake knobs (FAKE_CLAUDE_*) and proxy flags (which win over the defaults). */
    CliEngine start(Map<String, String> knobs, String... flags) throws Exception {
        Map<String, String> env = new HashMap<>(knobs);
        env.putIfAbsent("HOME", tmp.resolve("home").toString());
        List<String> args = new ArrayList<>(List.of("--claude", FakeCli.SCRIPT.toString(), "--keep-alive", "100ms"));
        args.addAll(defaultFlags);
        args.addAll(List.of(flags));
        Config config = ((Args.Run) Args.parse(args.toArray(String[]::new), FakeCli.env(env))).config();
        CliEngine engine = new CliEngine(config, Files.createDirectories(tmp.resolve("cwd")));
        engines.add(engine);
        return engine;
    }

    /** Runs {@code conversation} on a virtual thread; a failure to reach the sink ends up in its events. */
    static Thread inBackground(CliEngine engine, Conversation conversation, RecordingSink sink) {
        return Thread.ofVirtual().start(() -> {
            try {
                engine.run(conversation, sink);
            } catch (IOException e) {
                sink.events.add(new proxy.chat.ReplyEvent.Failed(proxy.chat.ErrorKind.INTERNAL, "sink threw " + e));
            }
        });
    }

    @Override
    public void close() {
        engines.forEach(CliEngine::close);
    }
}
