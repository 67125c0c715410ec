package dev.warmstart.bench.cold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A service's start-up without Warmstart: parse the same config with Jackson, read and fill one prompt. */
public final class ColdJackson {
    private ColdJackson() {}

    public static void main(String[] args) throws Exception {
        Path core = Path.of(args[0]);
        JsonNode config =
                new ObjectMapper().readTree(core.resolve("config.json").toFile());
        String endpoint =
                config.path("services").path("svc_0125").path("endpoint").asText();
        String text = Fill.fill(
                Files.readString(core.resolve("prompts/p150.prompt")),
                Map.of(
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
