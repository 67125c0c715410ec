package dev.warmstart.snapshot.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
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
public final class ApacheServer extends LoopbackServer {
    private static final Path BINARY = Path.of("/usr/sbin/apache2");
    private static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    /** The message tests skip with when Apache is missing. */
    public static final String MISSING = "Apache httpd is not installed (/usr/sbin/apache2): apt-get install -y"
            + " apache2 to run the conditional-PUT store tests (.ci/run does)";

    private final boolean locking;

    private ApacheServer(Path root, Path work, boolean locking) throws IOException {
        super("apache2", root, work, false);
        this.locking = locking;
    }

    /** @return whether Apache httpd with mod_dav_fs is installed here */
    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.exists(MODULES.resolve("mod_dav_fs.so"));
    }

    /** Starts Apache serving {@code root} with WebDAV LOCK and conditional PUT. */
    public static ApacheServer start(Path root, Path work) throws IOException {
        ApacheServer s = new ApacheServer(root, work, true);
        s.start();
        return s;
    }

    /** Starts Apache serving {@code root} with conditional PUT but no LOCK ({@code 405}), as S3 offers. */
    public static ApacheServer startWithoutLocks(Path root, Path work) throws IOException {
        ApacheServer s = new ApacheServer(root, work, false);
        s.start();
        return s;
    }

    @Override
    protected String configFileName() {
        return "httpd.conf";
    }

    @Override
    protected List<String> command(Path conf) {
        return List.of(BINARY.toString(), "-f", conf.toString(), "-DFOREGROUND");
    }

    @Override
    protected void prepare() throws IOException {
        Files.createDirectories(work().resolve("lock"));
        if (asRoot()) {
            openToOthers(root());
            openToOthers(work());
        }
    }

    @Override
    protected String config() {
        String w = work().toAbsolutePath().toString();
        String r = root().toAbsolutePath().toString();
        StringBuilder c = new StringBuilder();
        c.append("ServerRoot ").append(w).append('\n');
        c.append("ServerName 127.0.0.1\n");
        c.append("Listen 127.0.0.1:").append(port()).append('\n');
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
}
