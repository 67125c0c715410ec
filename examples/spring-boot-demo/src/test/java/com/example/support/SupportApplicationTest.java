package com.example.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;

/** Starts the service on a random loopback port against the snapshot this build made, and calls it. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.address=127.0.0.1")
class SupportApplicationTest {
    @Autowired
    TestRestTemplate http;

    @Test
    @SuppressWarnings("rawtypes")
    void answersFromTheSnapshot() {
        ResponseEntity<Map> response = http.getForEntity("/answer?question=How do I reset my password?", Map.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        assertThat(response.getBody().get("answer").toString())
                .startsWith("[gpt-4o-mini @ 0.2] You are the support assistant for Acme Cloud.")
                .endsWith("You asked: How do I reset my password?");
        assertThat(response.getHeaders().getFirst("X-Snapshot-Id")).isEqualTo(response.getBody().get("snapshot"));
    }

    @Test
    @SuppressWarnings("rawtypes")
    void actuatorShowsTheSnapshot() {
        ResponseEntity<Map> health = http.getForEntity("/actuator/health", Map.class);
        assertThat(health.getBody().get("status")).isEqualTo("UP");
        ResponseEntity<Map> snapshot = http.getForEntity("/actuator/snapshot", Map.class);
        assertThat(snapshot.getBody().get("kind")).isEqualTo("file");
    }
}
