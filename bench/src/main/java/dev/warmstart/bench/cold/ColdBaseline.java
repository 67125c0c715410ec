package dev.warmstart.bench.cold;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@link ColdMapped} without the loader calls: the same argument handling, the same map of values, the same string
 * concatenation and output, so that the difference between the two is what the loader adds and nothing else.
 */
public final class ColdBaseline {
    private ColdBaseline() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Map<String, String> values = Map.of(
                "user", "Ada", "product", "Acme Cloud", "question", "Why?", "context", "Because.", "tone", "friendly");
        String endpoint = file.getFileName().toString();
        String text = values.toString();
        System.out.println(endpoint + " " + text.length());
    }
}
