package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a {@link SnapshotManager} gets registry revisions and the snapshot files they name. The manager applies
 * what it reads (maps, verifies, checks each file against its record, swaps the routing state); a source only
 * says what the registry holds now, where each snapshot's bytes are on this machine, and when to look again.
 *
 * <p>Today's source is a store directory ({@link DirectoryRevisionSource}). A remote store plugs in here: its
 * {@link #read} fetches {@code registry.json} (conditionally, with backoff), its {@link #snapshotFile} downloads
 * into a local cache, its {@link #awaitChange} paces the polls.
 */
interface RevisionSource extends AutoCloseable {
    /** @return where the revisions come from, for messages (a directory or a URL) */
    String location();

    /** @return the registry file's location, for messages */
    String registryLocation();

    /**
     * Reads the current registry.
     *
     * @throws IOException when it cannot be read now (the manager retries on the next round)
     * @throws StoreException when it is malformed
     */
    StoreRegistry read() throws IOException;

    /**
     * @return the local file holding the snapshot of {@code record} (downloading it first, for a remote store); the
     *     manager still verifies it and checks it against the record before serving it. May be called from the
     *     manager's background verifier while another thread reads the registry.
     */
    Path snapshotFile(SnapshotRecord record) throws IOException;

    /**
     * @return the identity {@code record}'s file had when this process verified it fully itself (a download the
     *     cache verified before renaming it), or null: the manager then maps such a file without verifying it a
     *     second time, as long as it is still that file
     */
    default FileIdentity verifiedIdentity(SnapshotRecord record) throws IOException {
        return null;
    }

    /**
     * Waits until the registry may have changed, or at most {@code max}.
     *
     * @throws InterruptedException when the manager closes
     */
    void awaitChange(Duration max) throws InterruptedException;

    /**
     * Records in the shared registry that a guard took {@code id} out of service. A source that cannot write
     * (a read-only replica) may do nothing: the manager keeps the snapshot out of service either way.
     */
    void markRolledBack(String id, String reason) throws IOException;

    /** Stops waiting for changes; idempotent. */
    @Override
    void close();
}
