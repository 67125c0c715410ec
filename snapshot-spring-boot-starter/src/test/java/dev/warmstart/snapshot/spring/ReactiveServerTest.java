package dev.warmstart.snapshot.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.reactor.ReactorAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.HttpHandlerAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.ReactiveWebServerFactoryAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.WebFluxAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A real WebFlux server on a loopback ephemeral port: the request's snapshot reaches handlers on other threads. */
class ReactiveServerTest {
    @TempDir
    Path dir;

    @SpringBootConfiguration
    // Only what a WebFlux server needs, to keep this start quick.
    @ImportAutoConfiguration({
        ReactorAutoConfiguration.class,
        ReactiveWebServerFactoryAutoConfiguration.class,
        HttpHandlerAutoConfiguration.class,
        WebFluxAutoConfiguration.class,
        WarmstartAutoConfiguration.class
    })
    @RestController
    static class App {
        private final Prompts prompts;

        App(Prompts prompts) {
            this.prompts = prompts;
        }

        @GetMapping("/sync")
        String sync() {
            return prompts.render("support/answer", Map.of("question", "sync"));
        }

        @PostMapping("/hop")
        Mono<String> hop(@RequestBody String question) {
            // Rendered on another thread than the one the filter ran on.
            return Mono.just(question)
                    .publishOn(Schedulers.boundedElastic())
                    .map(q -> prompts.render("support/answer", Map.of("question", q)));
        }
    }

    @Test
    void handlersOnTheSubscribingThreadAndAfterAThreadHopSeeThePinnedSnapshot() throws Exception {
        Path store = TestSnapshots.store(dir);
        String v2 = TestSnapshots.canary(dir, store, 0);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.REACTIVE)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "warmstart.snapshot.location=" + store,
                        "spring.reactor.context-propagation=auto")
                .run()) {
            int port = ((ReactiveWebServerApplicationContext) context)
                    .getWebServer()
                    .getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> sync = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sync"))
                            .header("X-Snapshot-Version", v2)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sync.body()).isEqualTo("[v2] Answer sync");
            assertThat(sync.headers().firstValue("X-Snapshot-Id")).contains(v2);

            HttpResponse<String> hop = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                            .header("X-Snapshot-Version", v2)
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString("hop"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hop.body()).isEqualTo("[v2] Answer hop");
        }
    }
}
