package dev.warmstart.bench.cold;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** A service's start-up without Warmstart: parse the same config with SnakeYAML, read and fill one prompt. */
public final class ColdSnakeYaml {
    private ColdSnakeYaml() {}

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path core = Path.of(args[0]);
        Map<String, Object> config;
        try (InputStream in = Files.newInputStream(core.resolve("config.yml"))) {
            config = new Yaml().load(in);
        }
        Map<String, Object> services = (Map<String, Object>) config.get("services");
        String endpoint = (String) ((Map<String, Object>) services.get("svc_0125")).get("endpoint");
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
