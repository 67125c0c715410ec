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
 * A real nginx for the remote-store tests: serves {@code root} on a loopback port with WebDAV writes (PUT, DELETE,
 * MKCOL, and LOCK when the dav-ext module is installed), configured and run by the test as a child process with
 * every file it writes (pid, logs, temp bodies) inside {@code work}. The access log has one line per request:
 * method, URI, status, body bytes sent.
 *
 * <p>Shared by the plugin's and the starter's tests (test trees do not share code between modules). The loader's
 * tests keep their own copy in {@code dev.warmstart.snapshot.store}: they run inside the loader's module.
 */
public final class NginxServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path DAV_EXT = Path.of("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so");

    private final Path root;
    private final Path work;
    private final int port;
    private final boolean locking;
    private final String extra;
    private final boolean https;
    private Process process;

    private NginxServer(Path root, Path work, int port, boolean locking, String extra, boolean https) {
        this.root = root;
        this.work = work;
        this.port = port;
        this.locking = locking && Files.exists(DAV_EXT);
        this.extra = extra;
        this.https = https;
    }

    /** @return whether nginx is installed here */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** The message tests skip with when nginx is missing. */
    public static final String MISSING = "nginx is not installed (/usr/sbin/nginx): apt-get install -y nginx"
            + " libnginx-mod-http-dav-ext to run the remote-store tests (.ci/run does)";

    /** Starts nginx serving {@code root}. */
    public static NginxServer start(Path root, Path work) throws IOException {
        NginxServer s = new NginxServer(root, work, freePort(), true, "", false);
        s.start();
        return s;
    }

    /**
     * Starts nginx serving {@code root} with extra {@code server} directives (TLS certificates, auth_basic);
     * {@code https} makes it listen with TLS.
     */
    public static NginxServer startWith(Path root, Path work, String serverDirectives, boolean https)
            throws IOException {
        NginxServer s = new NginxServer(root, work, freePort(), true, serverDirectives, https);
        s.start();
        return s;
    }

    /** Starts a plain nginx serving {@code root}: WebDAV PUT, but no LOCK (PUT then ignores If-Match). */
    public static NginxServer startWithoutLocks(Path root, Path work) throws IOException {
        NginxServer s = new NginxServer(root, work, freePort(), false, "", false);
        s.start();
        return s;
    }

    /** @return whether this server offers WebDAV LOCK (the dav-ext module is installed and loaded) */
    public boolean locking() {
        return locking;
    }

    public URI url() {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port + "/");
    }

    public Path root() {
        return root;
    }

    /** Starts (or restarts) nginx on the same port. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(work.resolve("tmp"));
        Path conf = work.resolve("nginx.conf");
        Files.writeString(conf, config(), StandardCharsets.UTF_8);
        process = new ProcessBuilder(
                        BINARY.toString(), "-p", work.toString(), "-c", conf.toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("logs/stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "nginx exited with " + process.exitValue() + ": " + log("stdout.log") + log("error.log"));
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
        throw new IOException("nginx did not listen on port " + port + ": " + log("error.log"));
    }

    /** Stops nginx and waits for it to exit. */
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

    /** @return the access log's lines: {@code METHOD URI STATUS BODY_BYTES} */
    public List<String> accessLog() throws IOException {
        Path f = work.resolve("logs/access.log");
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : new ArrayList<>();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private String config() {
        String w = work.toAbsolutePath().toString();
        StringBuilder c = new StringBuilder();
        if (locking) {
            c.append("load_module ").append(DAV_EXT).append(";\n");
        }
        if ("root".equals(System.getProperty("user.name"))) {
            c.append("user root;\n"); // the workers must read the test's 0700 temp directories
        }
        c.append("worker_processes 1;\n")
                .append("pid ")
                .append(w)
                .append("/logs/nginx.pid;\n")
                .append("error_log ")
                .append(w)
                .append("/logs/error.log info;\n")
                .append("events { worker_connections 64; }\n")
                .append("http {\n")
                .append("  log_format store '$request_method $request_uri $status $body_bytes_sent';\n")
                .append("  access_log ")
                .append(w)
                .append("/logs/access.log store;\n")
                .append("  client_body_temp_path ")
                .append(w)
                .append("/tmp/body;\n")
                .append("  proxy_temp_path ")
                .append(w)
                .append("/tmp/proxy;\n")
                .append("  fastcgi_temp_path ")
                .append(w)
                .append("/tmp/fastcgi;\n")
                .append("  uwsgi_temp_path ")
                .append(w)
                .append("/tmp/uwsgi;\n")
                .append("  scgi_temp_path ")
                .append(w)
                .append("/tmp/scgi;\n")
                .append("  types { application/json json; application/x-tar tar; }\n")
                .append("  default_type application/octet-stream;\n")
                .append("  server {\n")
                .append("    listen 127.0.0.1:")
                .append(port)
                .append(https ? " ssl" : "")
                .append(";\n")
                .append(extra)
                .append("    root ")
                .append(root.toAbsolutePath())
                .append(";\n")
                .append("    client_max_body_size 0;\n")
                .append("    location / {\n")
                .append("      dav_methods PUT DELETE MKCOL;\n")
                .append("      create_full_put_path on;\n");
        if (locking) {
            c.append("      dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;\n")
                    .append("      dav_ext_lock zone=store;\n");
        }
        c.append("    }\n  }\n");
        if (locking) {
            c.append("  dav_ext_lock_zone zone=store:1m;\n");
        }
        c.append("}\n");
        return c.toString();
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
