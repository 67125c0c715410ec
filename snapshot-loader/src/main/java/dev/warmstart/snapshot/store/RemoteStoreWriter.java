package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Changes a remote store with the same operations as a store directory, without a lost update. The writer reads the
 * registry into a local <em>mirror</em> store together with the snapshots the change must verify, applies the change
 * there with {@link SnapshotStore} (so every rule and message is the local one), and uploads what changed — new
 * snapshot files first, the registry last — guarded by what the server offers:
 *
 * <ol>
 *   <li>{@link Guarding#LOCK}: a WebDAV {@code LOCK} on {@code registry.json} held from the read to the upload
 *       (nginx with dav-ext, Apache mod_dav). A second writer meanwhile gets {@code 423 Locked}.
 *   <li>{@link Guarding#CONDITIONAL_PUT}: no lock, but the server honours {@code If-Match} on PUT (S3 and
 *       S3-compatible stores; found by a probe): {@code registry.json} is written with {@code If-Match: <ETag of the
 *       registry read>} ({@code If-None-Match: *} when there was none), and a {@code 412} means another writer got
 *       there first. The history file of the revision is uploaded after the registry, by the writer that won it.
 *   <li>neither: refused unless the caller forces it ({@link Guarding#FORCED}), because two pipelines writing at
 *       once could then silently lose an update.
 * </ol>
 *
 * <p>A lock is preferred where both are offered: Apache mod_dav checks {@code If-Match} before it reads the body
 * and renames the file after, so two conditional PUTs with the same ETag can both succeed (measured:
 * docs/distribution.md section 5). {@link #apply} retries the whole read-change-write a bounded number of times when
 * another writer held the lock or changed the registry first; {@link #begin}/{@link #commit} make one attempt.
 */
public final class RemoteStoreWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteStoreWriter.class.getName());
    private static final String LOCK_BODY = "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:lockinfo xmlns:D=\"DAV:\">"
            + "<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>";
    /** Attempts of {@link #apply} before it gives up on a store other writers keep changing. */
    static final int MAX_ATTEMPTS = 10;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** How a writer keeps concurrent writers from losing each other's update. */
    public enum Guarding {
        /** A WebDAV lock on {@code registry.json}, held from the read to the upload. */
        LOCK,
        /** {@code If-Match} / {@code If-None-Match: *} on the PUT of {@code registry.json}. */
        CONDITIONAL_PUT,
        /** Nothing: the server offers neither, and the caller forced the write. */
        FORCED
    }

    /** A change to a remote store, applied to its mirror; may run more than once (see {@link #apply}). */
    @FunctionalInterface
    public interface Change<T> {
        /**
         * @param writer the writer, whose {@link #store()} is the mirror to change
         * @return what the caller wants back
         */
        T apply(RemoteStoreWriter writer) throws IOException;
    }

    /** Another writer held the lock or changed the registry first: the change may succeed when tried again. */
    static final class ContendedException extends StoreException {
        private static final long serialVersionUID = 1L;

        ContendedException(String message) {
            super(message, null);
        }
    }

    private final HttpStoreFetcher fetcher;
    private final Path mirror;
    private final SnapshotStore store;
    private final Set<Path> before = new HashSet<>();
    private final List<String> deletions = new ArrayList<>();
    private Guarding guarding;
    private String lockToken;
    private String registryEtag;
    private boolean registryExisted;
    private long revisionRead;
    private int keepHistory = -1;
    private int removedHistoryFiles;
    private boolean closed;

    private RemoteStoreWriter(HttpStoreFetcher fetcher, Path mirror) throws IOException {
        this.fetcher = fetcher;
        this.mirror = mirror;
        this.store = SnapshotStore.open(mirror);
    }

    /**
     * Prepares one change of the store at {@code url}: takes the lock (or finds the server's conditional PUT), and
     * mirrors its registry into {@code mirror} (an empty directory), with the files of {@code ids} that the
     * registry lists (the snapshots the change will verify). Apply the change to {@link #store()}, then
     * {@link #commit()}.
     *
     * @param force write even when the server offers neither a lock nor conditional PUT (the caller accepts that a
     *     concurrent write may be lost)
     * @param withPreviousStable whether the first earlier stable is mirrored too (a rollback verifies it)
     * @throws StoreException when another writer holds the lock, or the server offers no guard and {@code force}
     *     is off; nothing was changed
     */
    public static RemoteStoreWriter begin(
            URI url,
            HttpStoreSettings settings,
            Path mirror,
            boolean force,
            Collection<String> ids,
            boolean withPreviousStable)
            throws IOException {
        return begin(
                new HttpStoreFetcher(url, settings, Clock.systemUTC()), mirror, force, null, ids, withPreviousStable);
    }

    private static RemoteStoreWriter begin(
            HttpStoreFetcher fetcher,
            Path mirror,
            boolean force,
            Guarding known,
            Collection<String> ids,
            boolean withPreviousStable)
            throws IOException {
        RemoteStoreWriter w = new RemoteStoreWriter(fetcher, mirror);
        try {
            w.guard(force, known);
            w.mirror(ids, withPreviousStable);
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /**
     * Applies {@code change} to the store at {@code url} and uploads it ({@link #begin}, the change, {@link
     * #commit}), again from a fresh read when another writer held the lock or changed the registry in between, up
     * to {@value #MAX_ATTEMPTS} attempts with random backoff. Each attempt mirrors into a temporary directory of
     * its own, deleted afterwards.
     *
     * @return what {@code change} returned on the attempt that was uploaded
     * @throws StoreException when every attempt met another writer (nothing of this change is in the registry),
     *     the server offers no guard and {@code force} is off, or the change itself is refused
     */
    public static <T> T apply(
            URI url,
            HttpStoreSettings settings,
            boolean force,
            Collection<String> ids,
            boolean withPreviousStable,
            Change<T> change)
            throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        Guarding known = null;
        ContendedException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Path mirror = Files.createTempDirectory("warmstart-store-");
            try (RemoteStoreWriter w = begin(fetcher, mirror, force, known, ids, withPreviousStable)) {
                known = w.guarding;
                T result = change.apply(w);
                w.commit();
                return result;
            } catch (ContendedException e) {
                last = e;
                LOG.log(
                        System.Logger.Level.INFO,
                        "attempt " + attempt + " of " + MAX_ATTEMPTS + " to change " + url + " met another writer: "
                                + e.getMessage());
                pause(attempt);
            } finally {
                deleteTree(mirror);
            }
        }
        throw new StoreException(
                "gave up after " + MAX_ATTEMPTS + " attempts to change " + url + ": other writers held the lock or"
                        + " changed the registry every time (last: " + last.getMessage() + "); nothing of this change"
                        + " is in the registry: run it again",
                last);
    }

    /**
     * @return the current registry of the store at {@code url}, read without a lock (for {@code store status})
     */
    public static StoreRegistry readRegistry(URI url, HttpStoreSettings settings) throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        byte[] body = fetcher.fetchRegistry().body();
        return StoreRegistry.fromJson(new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Reads the history of the store at {@code url} without a lock (for {@code store history}): the revisions from
     * the current one down to the first one missing on the server (pruned with {@code --keep-history}).
     *
     * @return the revisions found, oldest first
     */
    public static List<StoreRegistry> readHistory(URI url, HttpStoreSettings settings) throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        byte[] body = fetcher.fetchRegistry().body();
        StoreRegistry current = StoreRegistry.fromJson(new String(body, StandardCharsets.UTF_8));
        List<StoreRegistry> out = new ArrayList<>();
        Path temp = Files.createTempFile("warmstart-history-", ".json");
        try {
            for (long r = current.revision(); r >= 1; r--) {
                StoreRegistry revision = fetchHistory(fetcher, r, temp);
                if (revision == null) {
                    break;
                }
                out.add(revision);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        out.sort(Comparator.comparingLong(StoreRegistry::revision));
        return out;
    }

    /** @return the mirror to apply the change to with the ordinary store operations */
    public SnapshotStore store() {
        return store;
    }

    /** @return how this writer keeps concurrent writers from losing each other's update */
    public Guarding guarding() {
        return guarding;
    }

    /**
     * Copies the history file of {@code revision} from the server into the mirror (for {@code store restore}).
     *
     * @return that revision
     * @throws IllegalArgumentException when the server has no such revision
     */
    public StoreRegistry mirrorHistory(long revision) throws IOException {
        Path target = mirror.resolve("history").resolve(historyName(revision));
        StoreRegistry r = fetchHistory(fetcher, revision, target);
        if (r == null) {
            Files.deleteIfExists(target);
            throw new IllegalArgumentException("no revision " + revision + " in " + fetcher.resolve("history/"));
        }
        before.add(target);
        return r;
    }

    /**
     * Downloads, verified, the snapshots {@code ids} of {@code registry} into the mirror, for a change that must
     * verify them (e.g. the snapshots an earlier revision served, before {@code store restore}).
     */
    public void mirrorSnapshots(StoreRegistry registry, Collection<String> ids) throws IOException {
        for (String id : ids) {
            SnapshotRecord record = registry.snapshot(id).orElse(null);
            if (record == null) {
                continue;
            }
            fetcher.resolve(record.file());
            Path target = mirror.resolve(record.file()).normalize();
            if (!target.startsWith(mirror.normalize())) {
                throw new StoreException("the registry names a file outside the store: " + record.file(), null);
            }
            if (Files.exists(target)) {
                continue;
            }
            Files.createDirectories(target.getParent());
            SnapshotCache.downloadVerified(fetcher, record, target, true);
            before.add(target);
        }
    }

    /** Deletes {@code file} (relative to the store) from the server once the new registry is uploaded. */
    public void deleteAfterCommit(String file) throws IOException {
        fetcher.resolve(file);
        deletions.add(file);
    }

    /**
     * Keeps only the newest {@code n} history files on the server (the current revision's always stays): deleted
     * once the new registry is uploaded, from the newest one beyond {@code n} down to the first one missing.
     */
    public void keepHistory(int n) {
        this.keepHistory = n;
    }

    /** @return the history files {@link #commit()} deleted for {@link #keepHistory} */
    public int removedHistoryFiles() {
        return removedHistoryFiles;
    }

    private void guard(boolean force, Guarding known) throws IOException {
        if (known == null || known == Guarding.LOCK) {
            if (lock()) {
                guarding = Guarding.LOCK;
                return;
            }
        }
        if (known == Guarding.CONDITIONAL_PUT || (known == null && honoursIfMatch())) {
            guarding = Guarding.CONDITIONAL_PUT;
            return;
        }
        URI registry = fetcher.registryUri();
        if (!force) {
            throw new StoreException(
                    registry + " offers neither a WebDAV LOCK nor conditional PUT (If-Match), so two pipelines"
                            + " writing at once could silently lose an update; nothing was changed. Serve the store"
                            + " with a server that offers one (nginx with libnginx-mod-http-dav-ext, Apache"
                            + " mod_dav, S3: see docs/distribution.md), or pass --force when only one writer can"
                            + " ever run",
                    null);
        }
        LOG.log(
                System.Logger.Level.WARNING,
                registry + " offers neither a WebDAV LOCK nor conditional PUT; writing anyway (--force): a concurrent"
                        + " write may be lost");
        guarding = Guarding.FORCED;
    }

    /** @return whether the lock is held; false when the server offers no LOCK */
    private boolean lock() throws IOException {
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
            return true;
        }
        if (status == 423) {
            throw new ContendedException("another writer holds the lock on " + registry + " (HTTP 423 Locked);"
                    + " nothing was changed: run this again once it is done");
        }
        if (status == 401 || status == 403) {
            throw new StoreException("LOCK " + registry + " answered HTTP " + status + "; " + CREDENTIALS, null);
        }
        if (status == 400 || status == 405 || status == 501 || status == 200 || status == 201) {
            return false; // no WebDAV locking here
        }
        throw new RemoteStoreException(
                "LOCK " + registry + " answered HTTP " + status + "; nothing was changed", status, null);
    }

    private static final String CREDENTIALS = "writing needs credentials that may write (WARMSTART_STORE_TOKEN, or"
            + " WARMSTART_STORE_USER and WARMSTART_STORE_PASSWORD)";

    /**
     * Finds whether the server honours {@code If-Match} on PUT without touching the registry: a PUT of a probe file,
     * then a PUT of it with an ETag that cannot match — {@code 412} means honoured, success means ignored — then
     * the probe is deleted.
     */
    private boolean honoursIfMatch() throws IOException {
        String name = ".warmstart-write-probe-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
        URI probe = fetcher.resolve(name);
        HttpResponse<String> created = fetcher.exchange(fetcher.request(probe)
                .PUT(HttpRequest.BodyPublishers.ofString("probe"))
                .build());
        int status = created.statusCode();
        if (status == 401 || status == 403) {
            throw new StoreException("PUT " + probe + " answered HTTP " + status + "; " + CREDENTIALS, null);
        }
        if (status < 200 || status >= 300) {
            throw new RemoteStoreException(
                    "PUT " + probe + " answered HTTP " + status + ": the server does not take uploads there;"
                            + " nothing was changed",
                    status,
                    null);
        }
        try {
            HttpResponse<String> r = fetcher.exchange(fetcher.request(probe)
                    .header("If-Match", "\"warmstart-never-matches\"")
                    .PUT(HttpRequest.BodyPublishers.ofString("probe, changed"))
                    .build());
            return r.statusCode() == 412;
        } finally {
            HttpResponse<String> d = fetcher.exchange(fetcher.request(probe)
                    .method("DELETE", HttpRequest.BodyPublishers.noBody())
                    .build());
            if (d.statusCode() >= 300 && d.statusCode() != 404) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot delete the probe " + probe + " (HTTP " + d.statusCode() + "); it is harmless");
            }
        }
    }

    private void mirror(Collection<String> ids, boolean withPreviousStable) throws IOException {
        HttpStoreFetcher.RegistryResponse r;
        try {
            r = fetcher.fetchRegistry();
        } catch (RemoteStoreException e) {
            if (e.status() != 404) {
                throw new RemoteStoreException(e.getMessage() + "; nothing was changed", e.status(), null);
            }
            r = null; // a new store
        }
        String body = r == null ? "" : new String(r.body(), StandardCharsets.UTF_8);
        // LOCK on a store's first registry.json creates it empty (WebDAV's locked empty resource): a new store
        if (!body.isBlank()) {
            registryExisted = true;
            registryEtag = r.etag();
            StoreRegistry registry = StoreRegistry.fromJson(body);
            revisionRead = registry.revision();
            Files.writeString(store.registryFile(), body);
            Set<String> wanted = new HashSet<>(ids);
            if (withPreviousStable && !registry.previousStable().isEmpty()) {
                wanted.add(registry.previousStable().get(0));
            }
            mirrorSnapshots(registry, wanted);
        }
        before.addAll(files());
    }

    /**
     * Uploads what the change added — snapshot files first; then, under a lock, the history file and {@code
     * registry.json}, or with conditional PUT {@code registry.json} (with {@code If-Match}) and then the history
     * file — deletes what was scheduled for deletion, and unlocks. Uploads nothing when nothing changed.
     *
     * @return the number of files uploaded
     * @throws StoreException when another writer changed the registry since it was read ({@code 412}): this change
     *     is not in the registry
     */
    public int commit() throws IOException {
        List<Path> added =
                files().stream().filter(f -> !before.contains(f)).sorted().toList();
        boolean changed = store.registry().revision() != revisionRead;
        int n = 0;
        for (Path f : added) {
            if (mirror.relativize(f).startsWith("snapshots")) {
                put(f, null);
                n++;
            }
        }
        List<Path> history = added.stream()
                .filter(f -> mirror.relativize(f).startsWith("history"))
                .toList();
        if (guarding != Guarding.CONDITIONAL_PUT) {
            for (Path f : history) {
                put(f, null);
                n++;
            }
        }
        if (changed) {
            putRegistry();
            n++;
        }
        if (guarding == Guarding.CONDITIONAL_PUT) {
            // the writer whose registry PUT succeeded owns this revision: only it writes the revision's history
            for (Path f : history) {
                put(f, null);
                n++;
            }
        }
        for (String file : deletions) {
            delete(file);
        }
        if (keepHistory >= 0) {
            pruneHistory(store.registry().revision());
        }
        close();
        return n;
    }

    private void putRegistry() throws IOException {
        URI uri = fetcher.registryUri();
        if (guarding == Guarding.LOCK) {
            put(store.registryFile(), "(" + lockToken + ")");
            return;
        }
        if (guarding == Guarding.FORCED) {
            put(store.registryFile(), null);
            return;
        }
        HttpRequest.Builder b = fetcher.request(uri).PUT(HttpRequest.BodyPublishers.ofFile(store.registryFile()));
        if (registryExisted) {
            if (registryEtag == null) {
                throw new StoreException(
                        "GET " + uri + " answered without an ETag, so it cannot be replaced conditionally; nothing"
                                + " was changed (serve the store with ETags, or a WebDAV LOCK)",
                        null);
            }
            b.header("If-Match", registryEtag);
        } else {
            b.header("If-None-Match", "*");
        }
        HttpResponse<String> r = fetcher.exchange(b.build());
        if (r.statusCode() == 412) {
            throw new ContendedException(uri + " changed since this writer read it (HTTP 412 Precondition Failed:"
                    + " another writer's change got there first); this change is not in the registry"
                    + (registryEtag != null && registryEtag.startsWith("W/")
                            ? " (the server's ETag " + registryEtag + " is weak and never matches If-Match: serve"
                                    + " strong ETags, e.g. Apache 'FileETag Digest')"
                            : ""));
        }
        check(r, "PUT " + uri, "; the registry is unchanged");
    }

    private void put(Path file, String ifHeader) throws IOException {
        String name = mirror.relativize(file).toString().replace('\\', '/');
        URI uri = fetcher.resolve(name);
        HttpResponse<String> r = fetcher.exchange(putRequest(uri, file, ifHeader));
        if (r.statusCode() == 409 && name.contains("/")) {
            // WebDAV servers other than nginx do not create missing collections on PUT (Apache answers 409)
            makeCollection(name.substring(0, name.lastIndexOf('/') + 1));
            r = fetcher.exchange(putRequest(uri, file, ifHeader));
        }
        if (ifHeader != null && (r.statusCode() == 412 || r.statusCode() == 423)) {
            // the server no longer counts this writer's lock token (lost, or taken over): nothing of this change is
            // in the registry, so the change may be made again from a fresh read, like any other contention
            throw new ContendedException("PUT " + uri + " answered HTTP " + r.statusCode() + " under this writer's"
                    + " lock: the server no longer holds the lock for it (another writer may hold it now); this"
                    + " change is not in the registry");
        }
        check(r, "PUT " + uri, ifHeader != null ? "; the registry is unchanged" : "");
    }

    private HttpRequest putRequest(URI uri, Path file, String ifHeader) throws IOException {
        HttpRequest.Builder b = fetcher.request(uri).PUT(HttpRequest.BodyPublishers.ofFile(file));
        if (ifHeader != null) {
            b.header("If", ifHeader);
        }
        return b.build();
    }

    private void makeCollection(String dir) throws IOException {
        URI uri = fetcher.resolve(dir);
        HttpResponse<String> r = fetcher.exchange(fetcher.request(uri)
                .method("MKCOL", HttpRequest.BodyPublishers.noBody())
                .build());
        if (r.statusCode() >= 300 && r.statusCode() != 405) { // 405: it exists already
            check(r, "MKCOL " + uri, "");
        }
    }

    private void delete(String file) throws IOException {
        URI uri = fetcher.resolve(file);
        HttpResponse<String> r = fetcher.exchange(fetcher.request(uri)
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build());
        if (r.statusCode() != 404) {
            check(r, "DELETE " + uri, "; the registry no longer names it, delete it by hand");
        }
    }

    /** Deletes history files from the newest one beyond {@link #keepHistory} down to the first one missing. */
    private void pruneHistory(long current) throws IOException {
        for (long r = current - Math.max(keepHistory, 1); r >= 1; r--) {
            URI uri = fetcher.resolve("history/" + historyName(r));
            HttpResponse<String> d = fetcher.exchange(fetcher.request(uri)
                    .method("DELETE", HttpRequest.BodyPublishers.noBody())
                    .build());
            if (d.statusCode() == 404) {
                break;
            }
            check(d, "DELETE " + uri, "");
            removedHistoryFiles++;
        }
    }

    private static void check(HttpResponse<String> r, String what, String consequence) throws RemoteStoreException {
        int s = r.statusCode();
        if (s == 200 || s == 201 || s == 204) {
            return;
        }
        throw new RemoteStoreException(
                what + " answered HTTP " + s + consequence + (s == 401 || s == 403 ? "; " + CREDENTIALS : ""), s, null);
    }

    /** @return the history revision {@code revision} downloaded to {@code target}, or null when the server has none */
    private static StoreRegistry fetchHistory(HttpStoreFetcher fetcher, long revision, Path target) throws IOException {
        if (!Files.exists(target)) {
            Files.createFile(target);
        }
        try {
            fetcher.download("history/" + historyName(revision), target, 4L << 20);
        } catch (RemoteStoreException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
        return StoreFiles.parse(target, "restore another revision");
    }

    private static String historyName(long revision) {
        return String.format(Locale.ROOT, "%08d.json", revision);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(mirror)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> !f.equals(store.registryFile()))
                    .toList();
        }
    }

    private static void pause(int attempt) {
        long max = Math.min(2_000, 50L << Math.min(attempt, 6));
        try {
            Thread.sleep(25 + RANDOM.nextLong(max));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
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
