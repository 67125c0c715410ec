package dev.warmstart.bench.cold;

import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link ColdPhases} measured in the main thread's CPU time rather than wall time: what the loader's calls cost a
 * cold JVM, which the load of other processes disturbs far less than wall time. The management classes it needs
 * are loaded before the first measurement (they also bootstrap lambdas, so compare builds with this program, not
 * with {@link ColdMapped}). With {@code -Dpre=jar,nio,crc,exc,cls} it first does parts of the work ahead of
 * {@code Snapshot.open}, each timed on its own: load a loader class (opening the loader jar), open and read a
 * {@code FileChannel}, initialise {@code CRC32C}, load the loader's exception classes, load the classes
 * {@code open} runs. Prints one line of "name milliseconds" pairs to stderr. {@code bench/cold-start.sh} runs it
 * without {@code -Dpre}, with an archive of its own training run where the case has one; by hand, e.g.:
 *
 * <pre>
 * java -cp bench/target/cold-start/cold-17.jar:LOADER.jar dev.warmstart.bench.cold.ColdThreadCpu mix.tar
 * </pre>
 */
public final class ColdThreadCpu {
    private ColdThreadCpu() {}

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadCpuTime();
        String pre = System.getProperty("pre", "");
        Path file = Path.of(args[0]);
        StringBuilder out = new StringBuilder();
        long p0 = threads.getCurrentThreadCpuTime();
        if (pre.contains("jar")) {
            Class.forName("dev.warmstart.snapshot.loader.SnapshotOption");
        }
        long p1 = threads.getCurrentThreadCpuTime();
        if (pre.contains("nio")) {
            try (FileChannel channel = FileChannel.open(file)) {
                channel.read(ByteBuffer.allocateDirect(16), 0);
            }
        }
        long p2 = threads.getCurrentThreadCpuTime();
        if (pre.contains("crc")) {
            new java.util.zip.CRC32C().update(new byte[4]);
        }
        long p3 = threads.getCurrentThreadCpuTime();
        if (pre.contains("exc")) {
            for (String name : new String[] {
                "SnapshotException",
                "CorruptSnapshotException",
                "MissingEntryException",
                "UnsupportedFormatVersionException",
                "ConfigException",
                "MissingVariableException"
            }) {
                Class.forName("dev.warmstart.snapshot.loader." + name);
            }
        }
        long p4 = threads.getCurrentThreadCpuTime();
        if (pre.contains("cls")) {
            for (String name : new String[] {
                "loader.Snapshot",
                "loader.MappedFile",
                "loader.FileMapping",
                "loader.SnapshotIndex",
                "format.TarHeaders",
                "format.SnapshotFormat",
                "format.IndexBlocks"
            }) {
                Class.forName("dev.warmstart.snapshot." + name);
            }
        }
        long p5 = threads.getCurrentThreadCpuTime();
        Map<String, String> values = Map.of(
                "user", "Ada", "product", "Acme Cloud", "question", "Why?", "context", "Because.", "tone", "friendly");
        long c0 = threads.getCurrentThreadCpuTime();
        Snapshot snapshot = Snapshot.open(file);
        long c1 = threads.getCurrentThreadCpuTime();
        Config config = snapshot.config();
        String endpoint = config.getString("services.svc_0125.endpoint");
        long c2 = threads.getCurrentThreadCpuTime();
        PromptTemplate prompt = snapshot.prompt("prompts/p150");
        String text = prompt.render(values);
        long c3 = threads.getCurrentThreadCpuTime();
        snapshot.close();
        long c4 = threads.getCurrentThreadCpuTime();
        if (!pre.isEmpty()) {
            out.append("preJar ").append(ms(p1 - p0)).append(" preNio ").append(ms(p2 - p1));
            out.append(" preCrc ").append(ms(p3 - p2)).append(" preExc ").append(ms(p4 - p3));
            out.append(" preCls ").append(ms(p5 - p4)).append(' ');
        }
        out.append("open ").append(ms(c1 - c0)).append(" lookup ").append(ms(c2 - c1));
        out.append(" prompt+render ").append(ms(c3 - c2)).append(" close ").append(ms(c4 - c3));
        out.append(" total ").append(ms(c4 - c0));
        System.out.println(endpoint + " " + text.length());
        System.err.println(out);
    }

    private static String ms(long nanos) {
        return Double.toString(nanos / 1000 / 1000.0);
    }
}
