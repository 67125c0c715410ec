package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a stored snapshot for use: maps it, verifies every byte, and checks that it is the snapshot its registry
 * record names (id and content hash). The one place the store's writers and the manager decide whether a file
 * may be used, so a file swapped or damaged after it was published is refused by both the same way.
 */
final class StoredSnapshots {
    /** Progress of {@link #open}, for the manager's listener and metrics. */
    interface Progress {
        Progress NONE = new Progress() {};

        /** The file is mapped; verification starts next. */
        default void opened() {}

        /** Verification passed after {@code nanos}. */
        default void verified(long nanos) {}

        /** @return progress that reports {@code id}'s events to a manager's listener and metrics */
        static Progress reporting(String id, SnapshotEventListener listener, ManagerMetrics metrics) {
            return new Progress() {
                @Override
                public void opened() {
                    listener.opened(id);
                }

                @Override
                public void verified(long nanos) {
                    metrics.verified(nanos);
                    listener.verified(id, java.time.Duration.ofNanos(nanos));
                }
            };
        }
    }

    private StoredSnapshots() {}

    /**
     * Opens {@code file}, verifies it fully and checks it against {@code record}.
     *
     * <p>Anything thrown on the way becomes a {@link StoreException} with the original as its cause, and the
     * snapshot is closed: that includes the {@link InternalError} HotSpot throws when a mapped page is gone
     * because the file was truncated by someone else, which must not kill the thread that applies revisions.
     *
     * @return the open snapshot; the caller closes it
     * @throws StoreException when the file cannot be opened, fails verification, or is not the recorded snapshot
     */
    static Snapshot open(Path file, SnapshotRecord record, Progress progress) {
        return open(file, record, progress, true);
    }

    /**
     * Opens {@code file} and checks it against {@code record}; with {@code verify} false, without the full
     * verification — only for a file this process verified itself and that has not changed since (same
     * {@link FileIdentity}), such as a download the cache verified before renaming it.
     */
    static Snapshot open(Path file, SnapshotRecord record, Progress progress, boolean verify) {
        String id = record.id();
        Snapshot snapshot;
        try {
            snapshot = Snapshot.open(file);
        } catch (IOException | RuntimeException | Error e) {
            throw new StoreException(
                    "snapshot " + id + " cannot be opened (" + file + "): " + FailureReporter.describe(e), e);
        }
        try {
            progress.opened();
            if (verify) {
                long t0 = System.nanoTime();
                try {
                    snapshot.verify();
                } catch (RuntimeException | Error e) {
                    throw new StoreException(
                            "snapshot " + id + " fails verification: " + FailureReporter.describe(e) + faultHint(e)
                                    + "; " + repairAdvice(id),
                            e);
                }
                progress.verified(System.nanoTime() - t0);
            }
            requireRecorded(snapshot, record, file);
            return snapshot;
        } catch (RuntimeException | Error e) {
            try {
                snapshot.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof StoreException s) {
                throw s;
            }
            throw new StoreException("snapshot " + id + " cannot be used (" + file + "): " + e, e);
        }
    }

    /**
     * Checks that an open snapshot is the one {@code record} names.
     *
     * @throws StoreException naming the expected and the actual id and content hash
     */
    static void requireRecorded(Snapshot snapshot, SnapshotRecord record, Path file) {
        if (!snapshot.id().equals(record.id()) || !snapshot.contentHash().equals(record.contentHash())) {
            throw new StoreException(
                    file + " holds snapshot " + snapshot.id() + " (content hash " + snapshot.contentHash()
                            + "), but the registry records " + record.id() + " (content hash "
                            + record.contentHash() + "); " + repairAdvice(record.id()),
                    null);
        }
    }

    /** What puts a registered snapshot's file right: publishing it again repairs it (docs/store.md). */
    static String repairAdvice(String id) {
        return "publish the original file of " + id + " again to repair the store's copy ('store publish' or"
                + " snapshot:publish), or promote or roll back to another snapshot";
    }

    private static String faultHint(Throwable e) {
        return e instanceof Error
                ? " (the file changed while it was mapped: stored snapshots must never be modified in place)"
                : "";
    }
}
