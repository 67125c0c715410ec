package dev.warmstart.bench;

import dev.warmstart.snapshot.plugin.build.BuildResult;
import dev.warmstart.snapshot.plugin.build.BuildSettings;
import dev.warmstart.snapshot.plugin.build.SnapshotBuilder;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The plugin's build pipeline (validate, compile, write, read-back self-check, sidecar) without Maven, over a
 * project of {@code files} prompt files totalling about {@code megabytes} MiB.
 *
 * <pre>
 * PluginThroughput generate DIR FILES MEGABYTES   write the project's inputs
 * PluginThroughput build DIR [THREADS]            build once; prints seconds and the heap's peak use
 * </pre>
 *
 * The build logs wall and process CPU time at every log line. {@code -Dbench.repeat=N} builds N times in one JVM
 * (the later builds show the cost without the JIT's); {@code -Dbench.threadCpu=true} prints the CPU time of the
 * JVM's own threads (JIT, collector) at the end.
 *
 * Run {@code build} under {@code -Xmx256m} to show the pipeline fits in that heap.
 */
public final class PluginThroughput {
    private static final String[] WORDS = ("the quick brown fox jumps over a lazy dog while support agents answer"
                    + " tickets about invoices exports settings and outages")
            .split(" ");

    private PluginThroughput() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "generate" -> generate(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "build" -> {
                for (int i = 0; i < Integer.getInteger("bench.repeat", 1); i++) {
                    build(dir, args.length > 2 ? Integer.parseInt(args[2]) : 0);
                }
            }
            default -> throw new IllegalArgumentException("generate or build");
        }
    }

    /**
     * Prints the CPU time of the JVM's own threads that are still alive, by name, from {@code /proc/self/task} (run
     * with {@code -XX:-UseDynamicNumberOfCompilerThreads} so the JIT's threads are among them): how much of the
     * process's CPU the JIT and the collector took.
     */
    private static void threadCpu() throws IOException {
        long ticksPerSecond = 100; // USER_HZ on Linux
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                        .replaceAll("[0-9]+", "N");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                byName.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            }
        }
        byName.forEach((name, ticks) -> {
            if (ticks > 0) {
                System.err.printf(Locale.ROOT, "#   thread %-20s %5d ms%n", name, ticks * 1000 / ticksPerSecond);
            }
        });
    }

    static void generate(Path dir, int files, int megabytes) throws IOException {
        Path prompts = dir.resolve("src/main/snapshot/prompts");
        Files.createDirectories(prompts);
        long perFile = (long) megabytes * (1 << 20) / files;
        for (int i = 0; i < files; i++) {
            SplittableRandom random = new SplittableRandom(i);
            StringBuilder b = new StringBuilder("Template ").append(i).append(" for {{product}}: answer {{user}}.\n");
            while (b.length() < perFile - 40) {
                b.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? ".\n" : " ");
            }
            b.append("\nQuestion: {{question}}\n");
            Path file = prompts.resolve(String.format(Locale.ROOT, "group-%03d/prompt-%05d.prompt", i % 100, i));
            Files.createDirectories(file.getParent());
            Files.writeString(file, b, StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.warmstart.bench</groupId>
                  <artifactId>throughput</artifactId>
                  <version>1.0</version>
                  <packaging>pom</packaging>
                  <properties>
                    <project.build.outputTimestamp>2026-11-01T00:00:00Z</project.build.outputTimestamp>
                  </properties>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>dev.warmstart</groupId>
                        <artifactId>snapshot-maven-plugin</artifactId>
                        <version>0.2.0-SNAPSHOT</version>
                        <executions><execution><goals><goal>build</goal></goals></execution></executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """);
    }

    /** @param threads the builder's threads, or 0 for its default (one per processor) */
    static void build(Path dir, int threads) throws Exception {
        Path out = dir.resolve("target/snapshot");
        if (Files.isDirectory(out)) {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        InputSettings inputs = InputSettings.builder(dir)
                .configDirectory(dir.resolve("src/main/snapshot/config"))
                .promptsDirectory(dir.resolve("src/main/snapshot/prompts"))
                .appsDirectory(dir.resolve("src/main/snapshot/apps"))
                .build();
        BuildSettings settings = new BuildSettings(
                inputs,
                out,
                "throughput-1.0-snapshot.tar",
                Instant.parse("2026-11-01T00:00:00Z"),
                Map.of("project", "dev.warmstart.bench:throughput:1.0"),
                "bench");
        // Peak heap in use: sampled every 2 ms (the sum of per-pool peaks would overstate it, as the pools peak
        // at different moments).
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // Wall and process CPU at every log line: under load the CPU column is the one to compare.
        SnapshotBuilder builder = new SnapshotBuilder(line -> System.err.printf(
                Locale.ROOT,
                "# %.2f s, CPU %.2f s: %s%n",
                (System.nanoTime() - start) / 1e9,
                os.getProcessCpuTime() / 1e9,
                line));
        if (threads > 0) {
            builder.threads(threads);
        }
        BuildResult result = builder.build(settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        done.set(true);
        sampler.join();
        long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        System.err.printf(Locale.ROOT, "# %.2f s, CPU %.2f s: done%n", seconds, os.getProcessCpuTime() / 1e9);
        if (Boolean.getBoolean("bench.threadCpu")) {
            threadCpu();
        }
        System.out.printf(
                Locale.ROOT, "%.3f %d %d %d %d%n", seconds, peak.get(), result.prompts(), result.fileBytes(), maxHeap);
    }
}
