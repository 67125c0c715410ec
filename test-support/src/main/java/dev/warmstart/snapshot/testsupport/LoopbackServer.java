package dev.warmstart.snapshot.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server the tests run as a child process on a loopback port: written configuration, start until it
 * listens, stop, access log. Every file the server writes (pid, logs, temporary bodies) stays inside {@code work}.
 * Subclasses say how the server is configured and started.
 */
public abstract class LoopbackServer implements AutoCloseable {
    private final String name;
    private final Path root;
    private final Path work;
    private final int port;
    private final boolean https;
    private Process process;

    protected LoopbackServer(String name, Path root, Path work, boolean https) throws IOException {
        this.name = name;
        this.root = root;
        this.work = work;
        this.port = freePort();
        this.https = https;
    }

    /** @return the server's base URL on loopback, ending with {@code /} */
    public URI url() {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port + "/");
    }

    /** @return the directory the server serves */
    public Path root() {
        return root;
    }

    protected Path work() {
        return work;
    }

    protected int port() {
        return port;
    }

    protected boolean https() {
        return https;
    }

    /** @return the configuration file's contents, written to {@code work/<configFileName>} before each start */
    protected abstract String config();

    /** @return the name of the configuration file inside {@code work} */
    protected abstract String configFileName();

    /** @return the command line that runs the server in the foreground with configuration {@code conf} */
    protected abstract List<String> command(Path conf);

    /** Runs before each start, once the configuration is written (directories, permissions). */
    protected void prepare() throws IOException {}

    /** Starts (or restarts) the server on the same port and waits until it accepts connections. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Files.createDirectories(work.resolve("logs"));
        Path conf = work.resolve(configFileName());
        Files.writeString(conf, config(), StandardCharsets.UTF_8);
        prepare();
        process = new ProcessBuilder(command(conf))
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("logs/stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        name + " exited with " + process.exitValue() + ": " + log("stdout.log") + log("error.log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        throw new IOException(name + " did not listen on port " + port + ": " + log("error.log"));
    }

    /** Stops the server and waits for it to exit. */
    public void stop() throws IOException {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** @return the access log's lines: {@code METHOD PATH STATUS BODY_BYTES} */
    public List<String> accessLog() throws IOException {
        Path f = work.resolve("logs/access.log");
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : new ArrayList<>();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** @return whether the tests run as root (servers then need their workers to reach the test directories) */
    protected static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private String log(String file) {
        try {
            Path f = work.resolve("logs").resolve(file);
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
