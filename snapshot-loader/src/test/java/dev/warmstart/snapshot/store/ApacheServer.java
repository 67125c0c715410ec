package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache httpd with mod_dav and mod_dav_fs for the remote-store tests (Debian package {@code apache2}): serves
 * {@code root} on a loopback port with WebDAV PUT, DELETE, MKCOL, conditional PUT ({@code If-Match},
 * {@code If-None-Match}) and, unless started without, LOCK/UNLOCK. Configured and run by the test as a child process,
 * every file it writes (pid, logs, lock database) inside {@code work}. ETags are {@code FileETag Digest} (a hash of
 * the content, strong at once — the default {@code MTime Size} ETag is weak for a second after each change, and a
 * weak ETag never matches {@code If-Match}). The access log has one line per request: method, path, status, body
 * bytes sent.
 *
 * <p>Apache refuses to serve as root, so under root its workers run as {@code www-data} and the served tree, the
 * work directory and the directories above them are opened to other users (test temporary directories only).
 */
public final class ApacheServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/apache2");
    private static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    /** The message tests skip with when Apache is missing. */
    public static final String MISSING = "Apache httpd is not installed (/usr/sbin/apache2): apt-get install -y"
            + " apache2 to run the conditional-PUT store tests (.ci/run does)";

    private final Path root;
    private final Path work;
    private final int port;
    private final boolean locking;
    private Process process;

    private ApacheServer(Path root, Path work, int port, boolean locking) {
        this.root = root;
        this.work = work;
        this.port = port;
        this.locking = locking;
    }

    /** @return whether Apache httpd with mod_dav_fs is installed here */
    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.exists(MODULES.resolve("mod_dav_fs.so"));
    }

    /** Starts Apache serving {@code root} with WebDAV LOCK and conditional PUT. */
    public static ApacheServer start(Path root, Path work) throws IOException {
        ApacheServer s = new ApacheServer(root, work, freePort(), true);
        s.start();
        return s;
    }

    /** Starts Apache serving {@code root} with conditional PUT but no LOCK ({@code 405}), as S3 offers. */
    public static ApacheServer startWithoutLocks(Path root, Path work) throws IOException {
        ApacheServer s = new ApacheServer(root, work, freePort(), false);
        s.start();
        return s;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public Path root() {
        return root;
    }

    /** Starts (or restarts) Apache on the same port. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(work.resolve("lock"));
        Path conf = work.resolve("httpd.conf");
        Files.writeString(conf, config(), StandardCharsets.UTF_8);
        if (asRoot()) {
            openToOthers(root);
            openToOthers(work);
        }
        process = new ProcessBuilder(BINARY.toString(), "-f", conf.toString(), "-DFOREGROUND")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("logs/stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "apache2 exited with " + process.exitValue() + ": " + log("stdout.log") + log("error.log"));
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
        throw new IOException("apache2 did not listen on port " + port + ": " + log("error.log"));
    }

    /** Stops Apache and waits for it to exit. */
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

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private String config() {
        String w = work.toAbsolutePath().toString();
        String r = root.toAbsolutePath().toString();
        StringBuilder c = new StringBuilder();
        c.append("ServerRoot ").append(w).append('\n');
        c.append("ServerName 127.0.0.1\n");
        c.append("Listen 127.0.0.1:").append(port).append('\n');
        c.append("PidFile ").append(w).append("/logs/httpd.pid\n");
        c.append("DefaultRuntimeDir ").append(w).append("/logs\n");
        for (String m : List.of("mpm_event", "authz_core", "dav", "dav_fs", "allowmethods")) {
            c.append("LoadModule ")
                    .append(m)
                    .append("_module ")
                    .append(MODULES.resolve("mod_" + m + ".so"))
                    .append('\n');
        }
        if (asRoot()) {
            c.append("User www-data\nGroup www-data\n");
        }
        c.append("StartServers 1\nServerLimit 2\nThreadsPerChild 16\nMaxRequestWorkers 32\n");
        c.append("ErrorLog ").append(w).append("/logs/error.log\n");
        c.append("LogFormat \"%m %U %>s %B\" store\n");
        c.append("CustomLog ").append(w).append("/logs/access.log store\n");
        c.append("DocumentRoot ").append(r).append('\n');
        c.append("DAVLockDB ").append(w).append("/lock/DAVLock\n");
        c.append("FileETag Digest\n");
        c.append("<Directory ").append(r).append(">\n  DAV On\n  Require all granted\n");
        if (!locking) {
            c.append("  AllowMethods GET HEAD PUT DELETE MKCOL OPTIONS PROPFIND\n");
        }
        c.append("</Directory>\n");
        return c.toString();
    }

    /** Lets Apache's workers (www-data) read and write {@code dir}, and reach it. */
    private static void openToOthers(Path dir) throws IOException {
        Set<PosixFilePermission> all = Set.of(PosixFilePermission.values());
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
                if (Files.isDirectory(f)) {
                    Files.setPosixFilePermissions(f, all);
                } else {
                    p.add(PosixFilePermission.OTHERS_READ);
                    p.add(PosixFilePermission.OTHERS_WRITE);
                    Files.setPosixFilePermissions(f, p);
                }
            }
        }
        for (Path up = dir.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(up);
            if (!p.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                p.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(up, p);
            }
        }
    }

    private String log(String name) {
        try {
            Path f = work.resolve("logs").resolve(name);
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
