package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Retention for a store directory ({@code store prune DIR --keep N [--keep-history N]}): a store's size then follows
 * its live snapshots, not its age.
 *
 * <p>{@code --keep N} removes a snapshot's record and file unless it is stable, a canary, in {@code previousStable}
 * (within reach of a rollback), or one of the {@code N} most recently published. The record goes first (a new
 * registry revision, written like every change), the file after, both under the store's lock, so a reader never
 * sees a registry naming a file that is gone. A service that still maps a removed file keeps serving it until it
 * lets go: Linux frees the space on unmap.
 *
 * <p>{@code --keep-history N} deletes all but the newest {@code N} files of {@code history/} (the current
 * revision's always stays); {@code store restore} can then go back only that far.
 */
public final class StorePrune {
    private static final System.Logger LOG = System.getLogger(StorePrune.class.getName());

    /** What a prune removed. */
    public record Result(StoreRegistry registry, List<String> removedSnapshots, int removedHistoryFiles) {}

    private StorePrune() {}

    /**
     * Prunes {@code store}.
     *
     * @param keep the newest snapshots kept whatever their status, or -1 to remove no snapshot
     * @param keepHistory the newest history files kept, or -1 to keep all
     */
    public static Result prune(SnapshotStore store, int keep, int keepHistory) throws IOException {
        List<SnapshotRecord> removed = new ArrayList<>();
        StoreRegistry registry = keep < 0
                ? store.registry()
                : store.changeRegistry(
                        "prune: keep the " + keep
                                + " newest snapshots and every one serving or within reach of rollback",
                        r -> {
                            removed.clear();
                            Set<String> protect = StoreRetention.servedIds(r, Integer.MAX_VALUE);
                            List<SnapshotRecord> all = r.snapshots();
                            List<SnapshotRecord> kept = new ArrayList<>();
                            for (int i = 0; i < all.size(); i++) {
                                SnapshotRecord s = all.get(i);
                                if (protect.contains(s.id()) || i >= all.size() - keep) {
                                    kept.add(s);
                                } else {
                                    removed.add(s);
                                }
                            }
                            if (removed.isEmpty()) {
                                return r;
                            }
                            return new StoreRegistry(
                                    r.revision(),
                                    r.updated(),
                                    r.change(),
                                    kept,
                                    r.stable(),
                                    r.stableGuard(),
                                    r.previousStable(),
                                    r.canaries());
                        });
        List<String> ids = new ArrayList<>();
        int history = store.underLock(() -> {
            for (SnapshotRecord s : removed) {
                Path f = store.snapshotFile(s);
                if (Files.deleteIfExists(f)) {
                    LOG.log(System.Logger.Level.INFO, () -> "pruned " + f);
                }
                ids.add(s.id());
            }
            return keepHistory < 0 ? 0 : pruneHistory(store, registry.revision(), keepHistory);
        });
        return new Result(registry, ids, history);
    }

    private static int pruneHistory(SnapshotStore store, long current, int keep) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(store.directory().resolve("history"))) {
            files = s.filter(p -> p.getFileName().toString().matches("[0-9]+\\.json"))
                    .sorted()
                    .toList();
        }
        String currentName = String.format(Locale.ROOT, "%08d.json", current);
        int removed = 0;
        for (int i = 0; i < files.size() - keep; i++) {
            Path f = files.get(i);
            if (!f.getFileName().toString().equals(currentName) && Files.deleteIfExists(f)) {
                removed++;
            }
        }
        return removed;
    }
}
