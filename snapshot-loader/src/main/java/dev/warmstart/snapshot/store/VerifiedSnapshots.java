package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every snapshot a manager holds mapped and verified, by id and content hash: the ones serving, the previous
 * stable (so a rollback only swaps a reference), and the newest published snapshots, verified in the background
 * as soon as a registry lists them (so promoting one only swaps a reference too). The full verification is never
 * skipped: it moves off the switch path, onto one background thread, ahead of any promotion.
 *
 * <p>A verification holds for the file it was made on and nothing else ({@link FileIdentity}): each use checks
 * that the file is still the same and verifies it again when it is not — a file replaced under the same name, or
 * written in place. A refusal is remembered the same way: a damaged snapshot is refused once, reported once, and
 * never served (nor switched to) by this manager until its file changes. A file this process verified itself
 * before giving it its name (a remote store's cache, {@link RevisionSource#verifiedIdentity}) is not verified twice.
 *
 * <p>Whatever is neither serving nor wanted ahead ({@link #ahead}) is released as soon as a state without it is
 * swapped in ({@link #drop}); each snapshot closes when its last lease is released.
 */
final class VerifiedSnapshots {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    /**
     * What a verification is about: one snapshot's id and content hash. Every switch looks its snapshots up by it;
     * switches are rare, so that code runs in the interpreter, where the generated methods of a record (bootstrapped
     * method handles) cost several times these plain ones.
     */
    record Key(String id, String contentHash) {
        static Key of(SnapshotRecord r) {
            return new Key(r.id(), r.contentHash());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && id.equals(k.id) && contentHash.equals(k.contentHash);
        }

        @Override
        public int hashCode() {
            return 31 * id.hashCode() + contentHash.hashCode();
        }
    }

    /** One snapshot verified, refused, or on its way. */
    private static final class Entry {
        final Key key;
        final SnapshotRecord record;
        final AtomicBoolean started = new AtomicBoolean();
        final CompletableFuture<ServedSnapshot> result = new CompletableFuture<>();
        /** The file verified or refused; null while verifying, or when a failure says nothing about the file. */
        volatile FileIdentity identity;
        /** Where that file is: each switch to this snapshot checks that it is still the same file, by one stat. */
        volatile Path file;

        Entry(SnapshotRecord record) {
            this.key = Key.of(record);
            this.record = record;
        }

        ServedSnapshot verified() {
            return result.isDone() && !result.isCompletedExceptionally() ? result.getNow(null) : null;
        }
    }

    private final RevisionSource source;
    private final ManagerOptions options;
    private final ManagerMetrics metrics;
    private final FailureReporter failures;
    private final ExecutorService background;
    /** Where retired snapshots are closed ({@link ServedSnapshot#CLOSE_IN_BACKGROUND}, or a test's). */
    private final Executor closer;
    /** Guarded by this. */
    private final Map<Key, Entry> entries = new HashMap<>();
    /** Snapshots whose file changed while they served: released once a state without them serves. */
    private final List<ServedSnapshot> superseded = new ArrayList<>();

    private Set<Key> ahead = Set.of();
    private boolean closed;

    VerifiedSnapshots(
            RevisionSource source,
            ManagerOptions options,
            ManagerMetrics metrics,
            FailureReporter failures,
            Executor closer) {
        this.source = source;
        this.closer = closer;
        this.options = options;
        this.metrics = metrics;
        this.failures = failures;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warmstart-store-verifier");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The verified snapshot of {@code record}, for a switch: at once when it was verified before and its file is
     * unchanged; otherwise verified now on this thread, or the verification already running awaited.
     *
     * @throws StoreException when it is refused, now or before on the same file
     * @throws IOException when its file cannot be reached (a download failed); tried again on the next call
     */
    ServedSnapshot obtain(SnapshotRecord record) throws IOException {
        Entry e = entryFor(record);
        if (e.started.compareAndSet(false, true)) {
            verify(e);
        } else if (!stillHolds(e)) {
            forget(e);
            e = entryFor(record);
            if (e.started.compareAndSet(false, true)) {
                verify(e);
            }
        }
        return await(e);
    }

    /**
     * Sets what to keep verified besides what serves — the previous stable and the newest published snapshots —
     * and verifies in the background each of them not verified yet, in order.
     */
    void ahead(List<SnapshotRecord> records) {
        List<Entry> start = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            Set<Key> keys = new HashSet<>();
            for (SnapshotRecord r : records) {
                keys.add(Key.of(r));
                if (!entries.containsKey(Key.of(r))) {
                    Entry e = new Entry(r);
                    entries.put(e.key, e);
                    start.add(e);
                }
            }
            ahead = keys;
        }
        for (Entry e : start) {
            background.execute(() -> verifyAhead(e));
        }
    }

    /**
     * Forgets every snapshot that {@code serving} does not use and that is not wanted ahead, and returns them for the
     * caller to {@link ServedSnapshot#retire() retire} once it can spare the time: closing one unmaps it at once on
     * Java 22+ (a handshake with every thread, then {@code munmap}), which a switch does after the new state serves,
     * not before. Called with each state swapped in, under the serving lock, which is also where each of them is
     * marked retired: a state built unlocked meanwhile (an applier racing a guard's rollback) sees that under the same
     * lock and is built again, instead of serving a snapshot about to close.
     */
    List<ServedSnapshot> drop(RoutingState serving) {
        List<ServedSnapshot> release = new ArrayList<>();
        synchronized (this) {
            Set<ServedSnapshot> inUse = new HashSet<>(serving.byId.values());
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                ServedSnapshot s = e.verified();
                if ((s != null && inUse.contains(s)) || ahead.contains(e.key)) {
                    continue;
                }
                it.remove(); // one still being verified is released when it ends (see verify)
                if (s != null) {
                    release.add(s);
                }
            }
            for (Iterator<ServedSnapshot> it = superseded.iterator(); it.hasNext(); ) {
                ServedSnapshot s = it.next();
                if (!inUse.contains(s)) {
                    it.remove();
                    release.add(s);
                }
            }
        }
        for (ServedSnapshot s : release) {
            s.markRetired();
        }
        return release;
    }

    /** @return whether the snapshot of {@code record} is verified and mapped, ready to serve without work */
    synchronized boolean isVerified(SnapshotRecord record) {
        Entry e = entries.get(Key.of(record));
        return e != null && e.verified() != null;
    }

    /** Releases everything (each snapshot closes once its last lease is released) and stops verifying. */
    void closeAll() {
        List<ServedSnapshot> release = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Entry e : entries.values()) {
                ServedSnapshot s = e.verified();
                if (s != null) {
                    release.add(s);
                }
            }
            entries.clear();
            release.addAll(superseded);
            superseded.clear();
        }
        background.shutdownNow();
        for (ServedSnapshot s : release) {
            s.retire();
        }
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized Entry entryFor(SnapshotRecord record) {
        if (closed) {
            throw new StoreException("the snapshot manager of " + source.location() + " is closed", null);
        }
        return entries.computeIfAbsent(Key.of(record), k -> new Entry(record));
    }

    /** Drops {@code e}, so the next use verifies afresh; a snapshot still serving is released once replaced. */
    private synchronized void forget(Entry e) {
        if (entries.get(e.key) == e) {
            entries.remove(e.key);
        }
        ServedSnapshot s = e.verified();
        if (s != null) {
            superseded.add(s);
        }
    }

    /**
     * Waits for {@code e} and says whether its outcome still holds: a verification or a refusal of the file that is
     * there now. A failure that said nothing about the file (a download, say) never holds.
     */
    private boolean stillHolds(Entry e) {
        try {
            e.result.join();
        } catch (RuntimeException ignored) {
            // judged below, by the identity it was reached on
        }
        FileIdentity seen = e.identity;
        Path file = e.file;
        if (seen == null || file == null) {
            return false;
        }
        try {
            // The file that was verified, not the source's answer now: that could be a download for a remote store,
            // and a file gone from the cache is then downloaded and verified again by the fresh attempt anyway.
            FileIdentity now = FileIdentity.of(file);
            return seen.equals(now);
        } catch (IOException | RuntimeException changed) {
            return false; // gone or unreachable: a fresh attempt says why
        }
    }

    private void verifyAhead(Entry e) {
        synchronized (this) {
            if (closed || entries.get(e.key) != e) {
                return; // released before its turn
            }
        }
        if (!e.started.compareAndSet(false, true)) {
            return; // a switch needed it first and verifies it itself
        }
        verify(e);
        try {
            e.result.join();
        } catch (RuntimeException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            if (e.identity != null) {
                failures.refused(
                        "snapshot " + e.key.id() + " is refused ahead of any promotion; it is never served here"
                                + " until its file changes",
                        cause);
            } else {
                LOG.log(
                        System.Logger.Level.INFO,
                        "snapshot " + e.key.id() + " cannot be verified ahead of a promotion now ("
                                + FailureReporter.describe(cause) + "); it is tried again when it is needed");
            }
        }
    }

    /** Maps, verifies and checks {@code e}'s file (or trusts this process's own earlier verification of it). */
    private void verify(Entry e) {
        SnapshotRecord record = e.record;
        String id = record.id();
        try {
            Path file = source.snapshotFile(record);
            FileIdentity before;
            try {
                before = FileIdentity.of(file);
            } catch (IOException missing) {
                throw new StoreException(
                        "snapshot " + id + " cannot be opened (" + file + "): " + FailureReporter.describe(missing),
                        missing);
            }
            boolean verifiedHere = before.equals(source.verifiedIdentity(record));
            Snapshot snapshot;
            try {
                snapshot = StoredSnapshots.open(
                        file,
                        record,
                        StoredSnapshots.Progress.reporting(id, options.listener(), metrics),
                        !verifiedHere);
                if (options.trust() != null) { // an unsigned or untrusted snapshot is never served
                    try {
                        options.trust().check(snapshot);
                    } catch (RuntimeException untrusted) {
                        snapshot.close();
                        throw new StoreException(
                                "snapshot " + id + " is not trusted: " + untrusted.getMessage(), untrusted);
                    }
                }
            } catch (StoreException refused) {
                if (isAboutTheBytes(refused) && before.equals(identityOrNull(file))) {
                    e.file = file;
                    e.identity = before; // the same bytes are not verified again
                }
                throw refused;
            }
            if (!before.equals(identityOrNull(file))) {
                snapshot.close();
                throw new StoreException(
                        "snapshot " + id + " (" + file + ") changed while it was verified (stored snapshots must never"
                                + " be modified in place); it is verified again when it is next needed",
                        null);
            }
            ServedSnapshot served = new ServedSnapshot(id, snapshot, Guard.DEFAULT.window(), options.clock(), closer);
            boolean wanted;
            synchronized (this) {
                wanted = !closed && entries.get(e.key) == e;
                if (wanted) {
                    e.file = file;
                    e.identity = before;
                    e.result.complete(served);
                }
            }
            if (!wanted) {
                served.retire();
                e.result.completeExceptionally(new StoreException(
                        "snapshot " + id + " was released while it was verified; it is verified again when needed",
                        null));
            }
        } catch (IOException | RuntimeException | Error failed) {
            e.result.completeExceptionally(failed);
        }
    }

    /** A refusal for what the file holds (damage, another snapshot, no trusted signature), not for reaching it. */
    private static boolean isAboutTheBytes(StoreException refused) {
        return !(refused.getCause() instanceof IOException);
    }

    private static FileIdentity identityOrNull(Path file) {
        try {
            return FileIdentity.of(file);
        } catch (IOException e) {
            return null;
        }
    }

    private ServedSnapshot await(Entry e) throws IOException {
        try {
            return e.result.get();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new StoreException(
                    "interrupted while snapshot " + e.key.id() + " was verified; the manager is closing", interrupted);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof StoreException s) {
                throw s;
            }
            throw new StoreException(
                    "snapshot " + e.key.id() + " cannot be used: " + FailureReporter.describe(cause), cause);
        }
    }
}
