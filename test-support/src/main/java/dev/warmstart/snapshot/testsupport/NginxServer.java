package dev.warmstart.snapshot.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real nginx for the remote-store tests: serves {@code root} on a loopback port with WebDAV writes (PUT, DELETE,
 * MKCOL, and LOCK when the dav-ext module is installed), configured and run by the test as a child process with
 * every file it writes (pid, logs, temp bodies) inside {@code work}. The access log has one line per request:
 * method, URI, status, body bytes sent.
 *
 * <p>Shared by the loader's, the plugin's and the starter's tests (test trees do not share code between modules).
 */
public final class NginxServer extends LoopbackServer {
    private static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path DAV_EXT = Path.of("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so");

    private final boolean locking;
    private final String extra;

    private NginxServer(Path root, Path work, boolean locking, String extra, boolean https) throws IOException {
        super("nginx", root, work, https);
        this.locking = locking && Files.exists(DAV_EXT);
        this.extra = extra;
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
        NginxServer s = new NginxServer(root, work, true, "", false);
        s.start();
        return s;
    }

    /**
     * Starts nginx serving {@code root} with extra {@code server} directives (TLS certificates, auth_basic);
     * {@code https} makes it listen with TLS.
     */
    public static NginxServer startWith(Path root, Path work, String serverDirectives, boolean https)
            throws IOException {
        NginxServer s = new NginxServer(root, work, true, serverDirectives, https);
        s.start();
        return s;
    }

    /** Starts a plain nginx serving {@code root}: WebDAV PUT, but no LOCK (PUT then ignores If-Match). */
    public static NginxServer startWithoutLocks(Path root, Path work) throws IOException {
        NginxServer s = new NginxServer(root, work, false, "", false);
        s.start();
        return s;
    }

    /** @return whether this server offers WebDAV LOCK (the dav-ext module is installed and loaded) */
    public boolean locking() {
        return locking;
    }

    @Override
    protected String configFileName() {
        return "nginx.conf";
    }

    @Override
    protected List<String> command(Path conf) {
        return List.of(BINARY.toString(), "-p", work().toString(), "-c", conf.toString(), "-g", "daemon off;");
    }

    @Override
    protected void prepare() throws IOException {
        Files.createDirectories(work().resolve("tmp"));
    }

    @Override
    protected String config() {
        String w = work().toAbsolutePath().toString();
        StringBuilder c = new StringBuilder();
        if (locking) {
            c.append("load_module ").append(DAV_EXT).append(";\n");
        }
        if (asRoot()) {
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
                .append(port())
                .append(https() ? " ssl" : "")
                .append(";\n")
                .append(extra)
                .append("    root ")
                .append(root().toAbsolutePath())
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
}
