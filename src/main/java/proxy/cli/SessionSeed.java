package proxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import proxy.chat.Turn;
import proxy.json.Json;

/**
 * Earlier turns given to the CLI as a session it resumes ({@code --resume <id>}), so the model
 * sees them with their roles instead of as quoted text (cli-protocol.md §11 "Seeded history").
 * The file is {@code <config dir>/projects/<cwd slug>/<id>.jsonl}, one entry per turn chained by
 * {@code parentUuid}. The CLI is run with {@code --no-session-persistence}, so it reads the file
 * and leaves it as it was; {@link #close} deletes it.
 */
final class SessionSeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionSeed.class.getName());

    private final UUID id;
    private final Path file;

    private SessionSeed(UUID id, Path file) {
        this.id = id;
        this.file = file;
    }

    /**
     * The CLI's config dir, from the environment the CLI gets: {@code CLAUDE_CONFIG_DIR}, else
     * {@code $HOME/.claude}. Not Java's {@code user.home}, which does not follow {@code $HOME}.
     */
    static Optional<Path> configDir(Map<String, String> env) {
        String dir = env.get("CLAUDE_CONFIG_DIR");
        if (dir != null && !dir.isBlank()) {
            return Optional.of(Path.of(dir));
        }
        String home = env.get("HOME");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".claude"));
    }

    /**
     * Where the CLI keeps the sessions of {@code cwd} (its real path): every UTF-16 unit but ASCII
     * letters and digits becomes '-'; a slug over 200 characters is cut there and suffixed with
     * the path's hash in base 36 (the CLI's JS hash is Java's {@code String.hashCode}).
     */
    static Path projectDir(Path configDir, Path cwd) {
        String path = cwd.toString();
        String slug = path.replaceAll("[^A-Za-z0-9]", "-");
        if (slug.length() > 200) {
            slug = slug.substring(0, 200) + "-" + Integer.toString(Math.abs(path.hashCode()), 36);
        }
        return configDir.resolve("projects").resolve(slug);
    }

    /** Writes {@code history} as a new session in {@code projectDir}. */
    static SessionSeed write(Path projectDir, String model, List<Turn> history) throws IOException {
        UUID id = UUID.randomUUID();
        Files.createDirectories(projectDir);
        Path file = projectDir.resolve(id + ".jsonl");
        SessionSeed seed = new SessionSeed(id, file);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            String parent = null;
            int n = 0;
            for (Turn turn : history) {
                String uuid = UUID.randomUUID().toString();
                out.write(entry(id, model, turn, uuid, parent, n++));
                out.write('\n');
                parent = uuid;
            }
        } catch (IOException | RuntimeException e) {
            seed.close();
            throw e;
        }
        return seed;
    }

    UUID id() {
        return id;
    }

    /**
     * One session entry. The CLI needs only {@code type}, {@code uuid}, the {@code parentUuid}
     * chain and {@code message.content} (checked against 2.1.331: without the chain only the last
     * entry reaches the API); {@code sessionId} and {@code timestamp} make it look like the
     * CLI's own. An assistant message keeps earlier thinking blocks only if its {@code model}
     * is the model the run resolves to.
     */
    private static byte[] entry(UUID session, String model, Turn turn, String uuid, String parent, int n) {
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", turn.role().wireName());
            g.writeStringField("uuid", uuid);
            Json.stringOrNull(g, "parentUuid", parent);
            g.writeStringField("sessionId", session.toString());
            g.writeStringField("timestamp", Instant.now().toString());
            g.writeObjectFieldStart("message");
            g.writeStringField("role", turn.role().wireName());
            if (turn.role() == Turn.Role.ASSISTANT) {
                g.writeStringField("id", "msg_seed_" + n);
                g.writeStringField("type", "message");
                g.writeStringField("model", model);
            }
            UserLine.writeContent(g, turn.parts());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete the seeded session {0}: {1}", file, e.toString());
        }
    }
}
