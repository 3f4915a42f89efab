package proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * claude-proxy started as a real process (the jar, the jlink launcher, or {@code Main} on the
 * test class path), the way a person or a supervisor starts it. Waits for the listening line.
 */
public final class ProxyProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("claude-proxy listening on (http://\\S+)");

    private final Process process;
    private final URI base;
    private final Path stderr;

    private ProxyProcess(Process process, URI base, Path stderr) {
        this.process = process;
        this.base = base;
        this.stderr = stderr;
    }

    /** Starts {@code command} with {@code extraEnv} and waits (bounded) for the listening line. */
    public static ProxyProcess start(List<String> command, Map<String, String> extraEnv) throws IOException {
        // stderr goes to a file: a thread reading the pipe while the process exits can get
        // "Stream closed" from the JDK's reaper and lose the last lines, the ones we check
        Path stderr = Files.createTempFile("proxy-stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
        pb.environment().putAll(FakeCli.env(extraEnv));
        Process process = pb.start();
        process.getOutputStream().close();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String url = listening.get(60, TimeUnit.SECONDS);
            if (url == null) {
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("proxy ended without listening; stderr: " + Files.readString(stderr));
            }
            discard(process.getInputStream()); // keep reading so the proxy never blocks on a full pipe
            return new ProxyProcess(process, URI.create(url), stderr);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("proxy did not start: " + e.getMessage(), e);
        }
    }

    /** Runs a command to its end and returns its exit code, stdout and stderr. */
    public static Result run(List<String> command, Map<String, String> extraEnv) throws Exception {
        Path out = Files.createTempFile("proxy-stdout", ".txt");
        Path err = Files.createTempFile("proxy-stderr", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(FakeCli.env(extraEnv));
            Process process = pb.start();
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {}

    public URI uri(String path) {
        return base.resolve(path);
    }

    public Process process() {
        return process;
    }

    /** Sends SIGTERM and returns the exit code and everything the process wrote on stderr. */
    public Result terminate() throws Exception {
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("proxy did not stop on SIGTERM");
        }
        try {
            return new Result(process.exitValue(), "", Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(stderr);
    }

    private static void discard(InputStream in) {
        Thread.ofPlatform().daemon().start(() -> {
            try (in) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    /** The java launcher running this test, to start the proxy with the same JDK. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
