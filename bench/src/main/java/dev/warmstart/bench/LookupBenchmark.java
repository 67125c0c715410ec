package dev.warmstart.bench;

import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Lookups on an open snapshot: what every request pays. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class LookupBenchmark {
    @Param({"mix", "1GiB-100k"})
    public String shape;

    private Snapshot snapshot;
    private PromptTemplate template;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        snapshot = Snapshot.open(Shapes.of(shape).snapshot());
        template = snapshot.prompt(Shapes.RENDER_PROMPT);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        snapshot.close();
    }

    @Benchmark
    public String configGetStringHit() {
        return snapshot.config().getString(Shapes.HIT_KEY);
    }

    @Benchmark
    public Optional<String> configGetStringMiss() {
        return snapshot.config().findString(Shapes.MISS_KEY);
    }

    @Benchmark
    public PromptTemplate promptLookup() {
        return snapshot.prompt(Shapes.RENDER_PROMPT);
    }

    /** Render of a 1 KiB template with 5 variables, the template already looked up. */
    @Benchmark
    public String render1KiB5Vars() {
        return template.render(Shapes.RENDER_VALUES);
    }

    /** Look up and render, as a request would without caching the template. */
    @Benchmark
    public String promptLookupAndRender() {
        return snapshot.prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
    }

    @Benchmark
    public ByteBuffer entrySlice() {
        return snapshot.entry(
                Shapes.MIX == Shapes.of(shape)
                        ? dev.warmstart.snapshot.format.SnapshotFormat.promptEntryName(Shapes.RENDER_PROMPT)
                        : Shapes.DATA_ENTRY);
    }
}
