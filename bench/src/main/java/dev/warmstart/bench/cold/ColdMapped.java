package dev.warmstart.bench.cold;

import dev.warmstart.snapshot.loader.Snapshot;
import java.nio.file.Path;
import java.util.Map;

/** A service's start-up with Warmstart: open the snapshot, read one key, render one prompt, exit. */
public final class ColdMapped {
    private ColdMapped() {}

    public static void main(String[] args) throws Exception {
        try (Snapshot snapshot = Snapshot.open(Path.of(args[0]))) {
            String endpoint = snapshot.config().getString("services.svc_0125.endpoint");
            String text = snapshot.prompt("prompts/p150")
                    .render(Map.of(
                            "user",
                            "Ada",
                            "product",
                            "Acme Cloud",
                            "question",
                            "Why?",
                            "context",
                            "Because.",
                            "tone",
                            "friendly"));
            System.out.println(endpoint + " " + text.length());
        }
    }
}
