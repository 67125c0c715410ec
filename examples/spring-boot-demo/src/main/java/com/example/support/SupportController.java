package com.example.support;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.warmstart.snapshot.spring.Prompts;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SupportController {
    private final Prompts prompts;
    private final ChatModel chat;
    private final SupportApplication.Model model;
    private final String product;

    SupportController(
            Prompts prompts, ChatModel chat, SupportApplication.Model model, @Value("${support.product}") String product) {
        this.prompts = prompts;
        this.chat = chat;
        this.model = model;
        this.product = product;
    }

    /** The request's snapshot (stable, a canary, or the one pinned by X-Snapshot-Version) renders the prompt. */
    @GetMapping("/answer")
    Map<String, String> answer(@RequestParam String question) {
        String system = prompts.render("support/system", Map.of("product", product));
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from(system), UserMessage.from(question))
                .modelName(model.name())
                .temperature(model.temperature())
                .build();
        String answer = chat.chat(request).aiMessage().text();
        return Map.of("answer", answer, "snapshot", prompts.snapshotId());
    }
}
