package dev.warmstart.bench;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.store.ManagerOptions;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotLease;
import dev.warmstart.snapshot.store.SnapshotManager;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hot-switch cost, per shape: the time from a registry change (the promotion's rename) to the first request
 * served by the new snapshot, with the watcher (WatchService) and with {@code refresh()}; and the latency of
 * reader threads (select + render + close) while nothing happens vs while the store switches back and forth.
 * Writes one JSON document to the file given as first argument.
 */
public final class SwitchLatency {
    private static final int SWITCHES = 20;

    private SwitchLatency() {}

    public static void main(String[] args) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Shapes shape : List.of(Shapes.MIX, Shapes.S100MIB_10K)) {
            rows.add(measure(shape));
        }
        String json = "[\n" + String.join(",\n", rows) + "\n]\n";
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), json);
        }
        System.out.print(json);
    }

    private static String measure(Shapes shape) throws Exception {
        Path work = Files.createTempDirectory("warmstart-switch");
        Path a = shape.snapshot();
        Path b = variant(a, work.resolve("b.tar"));
        SnapshotStore store = SnapshotStore.open(work.resolve("store"));
        String idA = store.publish(a).id();
        String idB = store.publish(b).id();
        store.promoteStable(idA, null);

        long[] watched = new long[SWITCHES];
        long[] applied = new long[SWITCHES];
        long[] refreshed = new long[SWITCHES];
        Readers quiet;
        Readers busy;
        ManagerOptions watching = ManagerOptions.defaults().withPollInterval(Duration.ofSeconds(1));
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), watching)) {
            quiet = Readers.run(manager, 3000, () -> {});
            busy = Readers.run(manager, 0, () -> {
                for (int i = 0; i < SWITCHES; i++) {
                    String next = i % 2 == 0 ? idB : idA;
                    try {
                        store.promoteStable(next, null);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    long t0 = System.nanoTime();
                    while (!served(manager, next)) {
                        Thread.onSpinWait();
                    }
                    watched[i] = System.nanoTime() - t0;
                    applied[i] = manager.metrics().lastSwitchNanos();
                }
            });
        }
        ManagerOptions manual =
                ManagerOptions.defaults().withPollInterval(Duration.ofHours(1)).withWatchService(false);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual)) {
            for (int i = 0; i < SWITCHES; i++) {
                String next = manager.stableId().equals(idA) ? idB : idA;
                store.promoteStable(next, null);
                long t0 = System.nanoTime();
                manager.refresh();
                if (!served(manager, next)) {
                    throw new IllegalStateException("refresh did not switch");
                }
                refreshed[i] = System.nanoTime() - t0;
            }
        }
        String row = String.format(
                Locale.ROOT,
                "  {\"shape\": \"%s\", \"snapshotBytes\": %d, \"switches\": %d,%n"
                        + "   \"watcherToFirstRequestMs\": %s,%n   \"applyMs\": %s,%n   \"refreshToFirstRequestMs\": %s,%n"
                        + "   \"readerQuiet\": %s,%n   \"readerDuringSwitches\": %s}",
                shape.label(),
                Files.size(a),
                SWITCHES,
                stats(watched),
                stats(applied),
                stats(refreshed),
                quiet.json(),
                busy.json());
        System.err.println(row);
        return row;
    }

    private static boolean served(SnapshotManager manager, String id) {
        try (SnapshotLease lease = manager.select()) {
            return lease.snapshotId().equals(id);
        }
    }

    /** The same snapshot with one more entry: another id, the same size. */
    private static Path variant(Path source, Path target) throws IOException {
        try (Snapshot s = Snapshot.open(source);
                SnapshotWriter w = SnapshotWriter.create(target)) {
            for (SnapshotEntry e : s.entries()) {
                if (e.name().startsWith(".warmstart/")) {
                    continue;
                }
                ByteBuffer data = s.entry(e.name());
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                w.addEntry(e.name(), e.kind(), bytes);
            }
            w.addEntry("variant.txt", SnapshotFormat.KIND_FILE, "b".getBytes(StandardCharsets.UTF_8));
            w.finish(Instant.parse("2026-11-02T00:00:00Z"), "warmstart-bench", "0", Map.of());
        }
        return target;
    }

    static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(
                Locale.ROOT,
                "{\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}",
                s[s.length / 2] / 1e6,
                s[0] / 1e6,
                s[s.length - 1] / 1e6);
    }

    /** Two reader threads that select, render and release as fast as they can, recording each latency. */
    static final class Readers {
        final long[] samples;
        final int count;

        Readers(long[] samples, int count) {
            this.samples = samples;
            this.count = count;
        }

        static Readers run(SnapshotManager manager, long millis, Runnable during) throws InterruptedException {
            AtomicBoolean stop = new AtomicBoolean();
            long[][] perThread = new long[2][4_000_000];
            int[] counts = new int[2];
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int n = t;
                threads[t] = new Thread(() -> {
                    int i = 0;
                    while (!stop.get() && i < perThread[n].length) {
                        long t0 = System.nanoTime();
                        try (SnapshotLease lease = manager.select(RequestContext.forUser("u" + (i & 1023)))) {
                            lease.snapshot().prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
                            lease.recordSuccess();
                        }
                        perThread[n][i++] = System.nanoTime() - t0;
                    }
                    counts[n] = i;
                });
                threads[t].start();
            }
            Thread.sleep(millis);
            during.run();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            long[] all = new long[counts[0] + counts[1]];
            System.arraycopy(perThread[0], 0, all, 0, counts[0]);
            System.arraycopy(perThread[1], 0, all, counts[0], counts[1]);
            Arrays.sort(all);
            return new Readers(all, all.length);
        }

        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"requests\": %d, \"p50us\": %.2f, \"p99us\": %.2f, \"p999us\": %.2f," + " \"maxUs\": %.1f}",
                    count,
                    at(0.5),
                    at(0.99),
                    at(0.999),
                    samples[count - 1] / 1e3);
        }

        private double at(double q) {
            return samples[(int) Math.min(count - 1, Math.floor(q * count))] / 1e3;
        }
    }
}
