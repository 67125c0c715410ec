/**
 * Serving a store of snapshots: several versions side by side, with canaries, hot switching and automatic
 * rollback.
 *
 * <h2>Where to start</h2>
 *
 * <p>A store is a directory of published snapshots and a {@code registry.json} naming the stable one and any
 * canaries (format in {@code docs/store.md}). A service opens it once with
 * {@link dev.warmstart.snapshot.store.SnapshotManager#open(java.nio.file.Path) SnapshotManager.open} and, per
 * request, asks it for a {@link dev.warmstart.snapshot.store.SnapshotLease} with
 * {@link dev.warmstart.snapshot.store.SnapshotManager#select(RequestContext)}. The lease holds its
 * {@link dev.warmstart.snapshot.loader.Snapshot} open and unchanged until it is closed, and reports the
 * request's outcome, which feeds the automatic rollback:
 *
 * <pre>{@code
 * try (SnapshotManager manager = SnapshotManager.open(Path.of("/srv/store"))) {
 *     // per request:
 *     try (SnapshotLease lease = manager.select(new RequestContext(pinHeader, userId, tenantId, null))) {
 *         String text = lease.snapshot().prompt("support/answer").render(vars);
 *         lease.recordSuccess();   // or recordFailure()
 *     }
 * }
 * }</pre>
 *
 * <p>{@link dev.warmstart.snapshot.store.ManagerOptions} sets the poll interval, an event listener and the JMX
 * bean; {@link dev.warmstart.snapshot.store.SnapshotManager#metrics()} counts selections, switches and
 * rollbacks.
 *
 * <h2>Changing a store</h2>
 *
 * <p>Pipelines publish, promote and roll back with the plugin's store goals or the loader's command line
 * ({@code java -jar snapshot-loader.jar store ...}); programs can do the same through
 * {@link dev.warmstart.snapshot.store.SnapshotStore#open(java.nio.file.Path) SnapshotStore.open}. Every change
 * rewrites {@code registry.json} atomically; running managers pick it up, map and verify the snapshots it names,
 * and only then switch.
 */
package dev.warmstart.snapshot.store;
