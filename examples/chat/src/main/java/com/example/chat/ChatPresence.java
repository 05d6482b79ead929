package com.example.chat;

import io.distws.api.Message;
import io.distws.api.PresenceFrames;
import jakarta.enterprise.context.ApplicationScoped;

/** How the chat's room members hear that someone joined or left, in its own text protocol. */
@ApplicationScoped
public class ChatPresence implements PresenceFrames {

    @Override
    public Message joined(String room, String uid) {
        return Message.text("* " + uid + " joined #" + room);
    }

    @Override
    public Message left(String room, String uid) {
        return Message.text("* " + uid + " left #" + room);
    }
}
