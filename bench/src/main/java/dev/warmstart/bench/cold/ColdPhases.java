package dev.warmstart.bench.cold;

import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link ColdMapped} with {@code System.nanoTime} around each loader call, printed to stderr when done (nothing
 * is formatted before the last call): where the loader's part of a cold start goes, call by call.
 */
public final class ColdPhases {
    private ColdPhases() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Map<String, String> values = Map.of(
                "user", "Ada", "product", "Acme Cloud", "question", "Why?", "context", "Because.", "tone", "friendly");
        long t0 = System.nanoTime();
        Snapshot snapshot = Snapshot.open(file);
        long t1 = System.nanoTime();
        Config config = snapshot.config();
        String endpoint = config.getString("services.svc_0125.endpoint");
        long t2 = System.nanoTime();
        PromptTemplate prompt = snapshot.prompt("prompts/p150");
        long t3 = System.nanoTime();
        String text = prompt.render(values);
        long t4 = System.nanoTime();
        snapshot.close();
        long t5 = System.nanoTime();
        System.out.println(endpoint + " " + text.length());
        System.err.println("open " + ms(t1 - t0) + " lookup " + ms(t2 - t1) + " prompt " + ms(t3 - t2) + " render "
                + ms(t4 - t3) + " close " + ms(t5 - t4) + " total " + ms(t5 - t0));
    }

    private static String ms(long nanos) {
        return Double.toString(nanos / 1000 / 1000.0);
    }
}
