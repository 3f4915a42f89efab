package proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The CLI's working directory. By default a private, empty directory (mode 700) that this
 * object creates and, on {@link #close}, removes with whatever the CLI left in it; a directory
 * given with {@code --cwd} belongs to the operator and is never touched.
 */
final class WorkDir implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkDir.class.getName());

    private final Path path;
    private final boolean owned;

    private WorkDir(Path path, boolean owned) {
        this.path = path;
        this.owned = owned;
    }

    static WorkDir of(Optional<Path> given) throws IOException {
        if (given.isPresent()) {
            return new WorkDir(given.get(), false);
        }
        Path dir = Files.createTempDirectory("claude-proxy-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new WorkDir(dir.toRealPath(), true);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        if (!owned) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the private working directory {0}: {1}", path, e.toString());
        }
    }
}
