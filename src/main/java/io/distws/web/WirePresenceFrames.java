package io.distws.web;

import io.distws.api.Message;
import io.distws.api.PresenceFrames;
import jakarta.enterprise.context.ApplicationScoped;

/** The presence frames of the {@code /ws} protocol: {@code {"type":"joined"|"left","room":"R","uid":"U"}}. */
@ApplicationScoped
public class WirePresenceFrames implements PresenceFrames {

    @Override
    public Message joined(String room, String uid) {
        return Message.text(WireProtocol.presenceChange(true, room, uid, null));
    }

    @Override
    public Message left(String room, String uid) {
        return Message.text(WireProtocol.presenceChange(false, room, uid, null));
    }
}
