package com.example.support;

import dev.langchain4j.model.chat.ChatModel;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@EnableConfigurationProperties(SupportApplication.Model.class)
public class SupportApplication {

    /** The model settings, bound from the snapshot's config/model.yml. */
    @ConfigurationProperties(prefix = "model")
    public record Model(String name, double temperature) {}

    /** A stand-in for a real provider: replace with e.g. OpenAiChatModel from langchain4j-open-ai. */
    @Bean
    ChatModel chatModel() {
        return new StubChatModel();
    }

    public static void main(String[] args) {
        SpringApplication.run(SupportApplication.class, args);
    }
}
