package dev.warmstart.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Heap retained after opening, per shape: the used heap after full GCs, with {@code n} opened instances held,
 * minus the used heap before, divided by {@code n}. Writes one JSON document to the file given as argument.
 * Run with a large heap ({@code -Xmx8g}) so the whole-file alternatives fit.
 */
public final class HeapRetained {
    private HeapRetained() {}

    public static void main(String[] args) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Shapes shape : Shapes.values()) {
            Path tar = shape.snapshot();
            rows.add(row(shape, "mappedOpen", 200, () -> Snapshot.open(tar)));
            rows.add(row(shape, "mappedOpenLookupRender", 200, () -> {
                Snapshot s = Snapshot.open(tar);
                s.config().getString(Shapes.HIT_KEY);
                s.prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
                return s;
            }));
            int copies = shape == Shapes.S1GIB_100K ? 1 : 3;
            rows.add(row(shape, "readAllBytes", copies, () -> Files.readAllBytes(tar)));
            rows.add(row(shape, "readAllBytesAndTarScan", copies, () -> {
                // What a tar-based loader keeps: the bytes, and the entries it indexed.
                byte[] bytes = Files.readAllBytes(tar);
                List<Object> kept = new ArrayList<>();
                kept.add(bytes);
                try (TarFile t = new TarFile(bytes)) {
                    for (TarArchiveEntry e : t.getEntries()) {
                        kept.add(e);
                    }
                }
                return kept;
            }));
            if (shape.hasParseFiles()) {
                ObjectMapper jackson = new ObjectMapper();
                rows.add(row(shape, "jacksonParse", 1, () -> {
                    List<Object> kept = new ArrayList<>();
                    kept.add(jackson.readTree(
                            shape.coreDir().resolve("config.json").toFile()));
                    if (shape != Shapes.MIX) {
                        for (Path f : list(shape.parseDir("json"))) {
                            kept.add(jackson.readTree(f.toFile()));
                        }
                    }
                    for (Path f : list(shape.coreDir().resolve("prompts"))) {
                        kept.add(Files.readString(f));
                    }
                    return kept;
                }));
            }
        }
        String json = "[\n" + String.join(",\n", rows) + "\n]\n";
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), json);
        }
        System.out.print(json);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static String row(Shapes shape, String method, int n, Callable<Object> open) throws Exception {
        open.call(); // load the classes first, so they are not counted
        long before = usedAfterGc();
        Object[] held = new Object[n];
        for (int i = 0; i < n; i++) {
            held[i] = open.call();
        }
        long after = usedAfterGc();
        long per = (after - before) / n;
        String row = String.format(
                Locale.ROOT,
                "  {\"shape\": \"%s\", \"method\": \"%s\", \"instances\": %d, \"retainedBytesPerInstance\": %d}",
                shape.label(),
                method,
                n,
                per);
        System.err.println(row.strip());
        for (Object o : held) {
            if (o instanceof AutoCloseable c) {
                c.close();
            }
        }
        java.util.Arrays.fill(held, null);
        return row;
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
