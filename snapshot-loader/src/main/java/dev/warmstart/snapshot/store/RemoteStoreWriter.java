package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Changes a remote store with the same operations as a store directory, without a lost update: the writer takes a
 * WebDAV {@code LOCK} on {@code registry.json} (nginx with its dav-ext module offers it), reads the registry into
 * a local <em>mirror</em> store together with the snapshots the change must verify, applies the change there with
 * {@link SnapshotStore} (so every rule and message is the local one), and uploads what changed — new snapshot
 * files first, then the new history file, then {@code registry.json} under the lock — and unlocks. A second
 * writer meanwhile is refused ({@code 423 Locked}) and told so; nothing of its change is written.
 *
 * <p>A server without {@code LOCK} (plain nginx PUT ignores {@code If-Match}) is refused unless the caller forces
 * it, because two pipelines writing at once could then silently lose an update.
 */
public final class RemoteStoreWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteStoreWriter.class.getName());
    private static final String LOCK_BODY = "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:lockinfo xmlns:D=\"DAV:\">"
            + "<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>";

    private final HttpStoreFetcher fetcher;
    private final Path mirror;
    private final SnapshotStore store;
    private final Set<Path> before = new HashSet<>();
    private String lockToken;
    private boolean closed;

    private RemoteStoreWriter(HttpStoreFetcher fetcher, Path mirror) throws IOException {
        this.fetcher = fetcher;
        this.mirror = mirror;
        this.store = SnapshotStore.open(mirror);
    }

    /**
     * Locks the store at {@code url} and mirrors its registry into {@code mirror} (an empty directory), with the
     * files of {@code ids} that the registry lists (the snapshots the change will verify).
     *
     * @param force write even when the server offers no lock (the caller accepts that a concurrent write may be
     *     lost)
     * @param withPreviousStable whether the first earlier stable is mirrored too (a rollback verifies it)
     * @throws StoreException when another writer holds the lock, or the server offers none and {@code force} is
     *     off; nothing was changed
     */
    public static RemoteStoreWriter begin(
            URI url,
            HttpStoreSettings settings,
            Path mirror,
            boolean force,
            Collection<String> ids,
            boolean withPreviousStable)
            throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        RemoteStoreWriter w = new RemoteStoreWriter(fetcher, mirror);
        try {
            w.lock(force);
            w.mirror(ids, withPreviousStable);
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /**
     * @return the current registry of the store at {@code url}, read without a lock (for {@code store status})
     */
    public static StoreRegistry readRegistry(URI url, HttpStoreSettings settings) throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        byte[] body = fetcher.fetchRegistry().body();
        return StoreRegistry.fromJson(new String(body, StandardCharsets.UTF_8));
    }

    /** @return the mirror to apply the change to with the ordinary store operations */
    public SnapshotStore store() {
        return store;
    }

    private void lock(boolean force) throws IOException {
        URI registry = fetcher.registryUri();
        HttpResponse<String> r = fetcher.exchange(fetcher.request(registry)
                .header("Timeout", "Second-300")
                .header("Content-Type", "application/xml")
                .method("LOCK", HttpRequest.BodyPublishers.ofString(LOCK_BODY))
                .build());
        int status = r.statusCode();
        if ((status == 200 || status == 201)
                && r.headers().firstValue("Lock-Token").isPresent()) {
            lockToken = r.headers().firstValue("Lock-Token").get().strip();
            return;
        }
        if (status == 423) {
            throw new StoreException(
                    "another writer holds the lock on " + registry + " (HTTP 423 Locked); nothing was changed:"
                            + " run this again once it is done",
                    null);
        }
        if (status == 401 || status == 403) {
            throw new StoreException(
                    "LOCK " + registry + " answered HTTP " + status + "; writing needs credentials that may write"
                            + " (WARMSTART_STORE_TOKEN, or WARMSTART_STORE_USER and WARMSTART_STORE_PASSWORD)",
                    null);
        }
        if (!force) {
            throw new StoreException(
                    registry + " offers no WebDAV LOCK (HTTP " + status + "), so two pipelines writing at once could"
                            + " silently lose an update; nothing was changed. Serve the store with a server that"
                            + " locks (nginx with libnginx-mod-http-dav-ext, see docs/distribution.md), or pass"
                            + " --force when only one writer can ever run",
                    null);
        }
        LOG.log(
                System.Logger.Level.WARNING,
                registry + " offers no WebDAV LOCK (HTTP " + status + "); writing anyway (--force): a concurrent"
                        + " write may be lost");
    }

    private void mirror(Collection<String> ids, boolean withPreviousStable) throws IOException {
        HttpResponse<String> r =
                fetcher.exchange(fetcher.request(fetcher.registryUri()).build());
        // LOCK on a store's first registry.json creates it empty (WebDAV's locked empty resource): a new store
        if (r.statusCode() == 200 && !r.body().isBlank()) {
            StoreRegistry registry = StoreRegistry.fromJson(r.body());
            Files.writeString(store.registryFile(), r.body());
            Set<String> wanted = new HashSet<>(ids);
            if (withPreviousStable && !registry.previousStable().isEmpty()) {
                wanted.add(registry.previousStable().get(0));
            }
            for (String id : wanted) {
                SnapshotRecord record = registry.snapshot(id).orElse(null);
                if (record != null) {
                    fetcher.resolve(record.file());
                    Path target = mirror.resolve(record.file()).normalize();
                    if (!target.startsWith(mirror.normalize())) {
                        throw new StoreException("the registry names a file outside the store: " + record.file(), null);
                    }
                    Files.createDirectories(target.getParent());
                    SnapshotCache.downloadVerified(fetcher, record, target, true);
                }
            }
        } else if (r.statusCode() != 404 && r.statusCode() != 200) {
            throw new RemoteStoreException(
                    "GET " + fetcher.registryUri() + " answered HTTP " + r.statusCode() + "; nothing was changed",
                    r.statusCode(),
                    null);
        }
        before.addAll(files());
    }

    /**
     * Uploads what the change added — snapshot files, then history, then {@code registry.json} (under the lock) —
     * and unlocks.
     *
     * @return the number of files uploaded
     */
    public int commit() throws IOException {
        List<Path> added =
                files().stream().filter(f -> !before.contains(f)).sorted().toList();
        int n = 0;
        for (String dir : List.of("snapshots", "history")) {
            for (Path f : added) {
                if (mirror.relativize(f).startsWith(dir)) {
                    put(f, false);
                    n++;
                }
            }
        }
        put(store.registryFile(), true);
        close();
        return n + 1;
    }

    private void put(Path file, boolean locked) throws IOException {
        String name = mirror.relativize(file).toString().replace('\\', '/');
        URI uri = fetcher.resolve(name);
        HttpRequest.Builder b = fetcher.request(uri).PUT(HttpRequest.BodyPublishers.ofFile(file));
        if (locked && lockToken != null) {
            b.header("If", "(" + lockToken + ")");
        }
        HttpResponse<String> r = fetcher.exchange(b.build());
        if (r.statusCode() != 200 && r.statusCode() != 201 && r.statusCode() != 204) {
            throw new RemoteStoreException(
                    "PUT " + uri + " answered HTTP " + r.statusCode() + (locked ? "; the registry is unchanged" : "")
                            + (r.statusCode() == 423 ? " (locked by another writer)" : ""),
                    r.statusCode(),
                    null);
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(mirror)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> !f.equals(store.registryFile()))
                    .toList();
        }
    }

    /** Unlocks (when locked) without uploading anything more. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (lockToken != null) {
            HttpResponse<String> r = fetcher.exchange(fetcher.request(fetcher.registryUri())
                    .header("Lock-Token", lockToken)
                    .method("UNLOCK", HttpRequest.BodyPublishers.noBody())
                    .build());
            if (r.statusCode() >= 300) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "UNLOCK " + fetcher.registryUri() + " answered HTTP " + r.statusCode() + "; the lock expires"
                                + " by itself after 300 s");
            }
        }
    }
}
