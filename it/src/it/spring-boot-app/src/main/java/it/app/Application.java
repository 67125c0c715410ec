package it.app;

import dev.warmstart.snapshot.spring.Prompts;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
@EnableConfigurationProperties(Application.Model.class)
public class Application {
    /** Bound once at start-up from the snapshot (and anything above it: env, system properties, arguments). */
    @ConfigurationProperties(prefix = "model")
    public record Model(String name, double temperature) {}

    public static void main(String[] args) {
        SpringApplication.run(Application.class, args);
    }

    @RestController
    static class AnswerController {
        private final Prompts prompts;
        private final Model model;
        private final Environment environment;

        AnswerController(Prompts prompts, Model model, Environment environment) {
            this.prompts = prompts;
            this.model = model;
            this.environment = environment;
        }

        @GetMapping("/answer")
        Map<String, Object> answer(@RequestParam String question) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model.name());
            out.put("temperature", model.temperature());
            out.put(
                    "prompt",
                    prompts.render("support/answer", Map.of("question", question))
                            .strip());
            out.put("snapshot", prompts.snapshotId());
            // Looked up now: follows a hot switch of the stable snapshot.
            out.put("currentModel", environment.getProperty("model.name"));
            return out;
        }
    }
}
