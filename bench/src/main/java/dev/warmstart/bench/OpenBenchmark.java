package dev.warmstart.bench;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Opening a snapshot vs the ways services load the same content today, per shape, in a warm JVM with the file in
 * the page cache (the best case for the alternatives: no disk reads at all).
 *
 * <p>A closed snapshot's mapping is released by the garbage collector, never unmapped under a reader. A loop that
 * opens thousands of snapshots a second would pile up tens of thousands of live mappings between collections —
 * something no service does, which makes every further {@code mmap} slower and finally makes the JDK stall in
 * {@code System.gc()} when the kernel's mapping limit is reached. So a collection runs, outside the measured
 * time, every 100 invocations, for every method alike.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class OpenBenchmark {
    @Param({"mix", "1MiB-100", "100MiB-10k", "1GiB-100k"})
    public String shape;

    private Path tar;
    private Path zip;

    private int sinceCollection;

    @Setup(Level.Invocation)
    public void releaseMappings() {
        if (++sinceCollection >= 100) {
            sinceCollection = 0;
            System.gc();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Shapes s = Shapes.of(shape);
        tar = s.snapshot();
        zip = s.zip();
    }

    /** Warmstart: map, check magic, length and index CRC. Closed again, so nothing accumulates. */
    @Benchmark
    public String mappedOpen() throws IOException {
        try (Snapshot snapshot = Snapshot.open(tar)) {
            return snapshot.id();
        }
    }

    /** Warmstart: open, then one config lookup and one render: a service's whole start-up work. */
    @Benchmark
    public String mappedOpenLookupRender() throws IOException {
        try (Snapshot snapshot = Snapshot.open(tar)) {
            return snapshot.config().getString(Shapes.HIT_KEY)
                    + snapshot.prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
        }
    }

    /** The figure to beat: reading the file whole onto the heap. */
    @Benchmark
    public byte[] readAllBytes() throws IOException {
        return Files.readAllBytes(tar);
    }

    /** Reading the tar whole, then scanning every entry with commons-compress, as a tar-based loader would. */
    @Benchmark
    public long readAllBytesAndTarScan(Blackhole bh) throws IOException {
        byte[] bytes = Files.readAllBytes(tar);
        long total = 0;
        try (TarFile tarFile = new TarFile(bytes)) {
            for (TarArchiveEntry e : tarFile.getEntries()) {
                try (InputStream in = tarFile.getInputStream(e)) {
                    total += in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                bh.consume(e);
            }
        }
        return total;
    }

    /** A jar or zip of the same entries, opened with ZipFile and every entry read. */
    @Benchmark
    public long zipFileReadAll() throws IOException {
        long total = 0;
        try (ZipFile zipFile = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zipFile.entries();
            while (entries.hasMoreElements()) {
                try (InputStream in = zipFile.getInputStream(entries.nextElement())) {
                    total += in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
        }
        return total;
    }
}
