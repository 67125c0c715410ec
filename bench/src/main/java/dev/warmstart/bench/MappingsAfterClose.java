package dev.warmstart.bench;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a process keeps of snapshots it has closed (docs/performance.md §8): {@code cycles} times open the shape,
 * look up one key, render one prompt, close; then count the lines of {@code /proc/self/maps} that map the file,
 * the address space they cover and the process's resident memory, once as left and once more after a full
 * collection. Run it on Java 17 and on 22+ (where the loader unmaps on close, through the FFM API) and compare.
 * Prints one JSON object; appends it as a line to the file given as third argument.
 *
 * <p>Arguments: shape label or path of a {@code .tar} (default {@code 1GiB-100k}), cycles (default 300), output
 * file (optional).
 */
public final class MappingsAfterClose {
    private MappingsAfterClose() {}

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "1GiB-100k";
        Path tar = what.endsWith(".tar") ? Path.of(what) : Shapes.of(what).snapshot();
        int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        long[] rssBefore = rss();
        long openNanos = 0;
        long closeNanos = 0;
        for (int i = 0; i < cycles; i++) {
            long start = System.nanoTime();
            Snapshot snapshot = Snapshot.open(tar);
            openNanos += System.nanoTime() - start;
            snapshot.config().getString(Shapes.HIT_KEY);
            snapshot.prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
            start = System.nanoTime();
            snapshot.close();
            closeNanos += System.nanoTime() - start;
        }
        long[] left = maps(tar);
        long[] rssLeft = rss();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // the cleaners that unmap run after the collection, on their own thread
        }
        long[] afterGc = maps(tar);
        long[] rssAfterGc = rss();
        String json = String.format(
                Locale.ROOT,
                "{\"java\": \"%s\", \"java22Mapping\": %s, \"file\": \"%s\", \"fileMiB\": %d, \"cycles\": %d,"
                        + " \"openMicros\": %.1f, \"closeMicros\": %.1f,"
                        + " \"mappingsLeft\": %d, \"mappedGiBLeft\": %.1f, \"rssMiBBefore\": %d, \"rssMiBLeft\": %d,"
                        + " \"rssFileMiBLeft\": %d, \"mappingsAfterGc\": %d, \"mappedGiBAfterGc\": %.1f,"
                        + " \"rssMiBAfterGc\": %d, \"rssFileMiBAfterGc\": %d}",
                Runtime.version().feature(),
                // False on Java 17, and where the run leaves the loader's Java 22 class out of its jar to compare
                // the two paths on one JDK (run-all.sh).
                Runtime.version().feature() >= 22
                        && MappingsAfterClose.class
                                        .getClassLoader()
                                        .getResource("dev/warmstart/snapshot/loader/ArenaFileMapping.class")
                                != null,
                tar.getFileName(),
                Files.size(tar) >> 20,
                cycles,
                openNanos / 1e3 / cycles,
                closeNanos / 1e3 / cycles,
                left[0],
                left[1] / (double) (1L << 30),
                rssBefore[0] >> 10,
                rssLeft[0] >> 10,
                rssLeft[1] >> 10,
                afterGc[0],
                afterGc[1] / (double) (1L << 30),
                rssAfterGc[0] >> 10,
                rssAfterGc[1] >> 10);
        System.out.println(json);
        if (args.length > 2) {
            Files.writeString(
                    Path.of(args[2]),
                    json + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** @return the number of mappings of {@code file} in /proc/self/maps and the bytes they cover */
    private static long[] maps(Path file) throws IOException {
        String path = " " + file.toAbsolutePath();
        long count = 0;
        long bytes = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith(path)) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                count++;
                bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
        }
        return new long[] {count, bytes};
    }

    /** @return VmRSS and RssFile of this process, KiB */
    private static long[] rss() throws IOException {
        List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
        return new long[] {field(status, "VmRSS:"), field(status, "RssFile:")};
    }

    private static long field(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(
                        line.substring(name.length()).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
