package com.example.support;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/** Answers without a network: echoes what a real model would have been sent, so the demo runs anywhere. */
class StubChatModel implements ChatModel {
    @Override
    public ChatResponse doChat(ChatRequest request) {
        String system = "";
        String user = "";
        for (ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) {
                system = s.text();
            } else if (m instanceof UserMessage u) {
                user = u.singleText();
            }
        }
        String answer = "[" + request.modelName() + " @ " + request.temperature() + "] " + system.strip()
                + " | You asked: " + user;
        return ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
    }
}
