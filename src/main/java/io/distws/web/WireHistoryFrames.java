package io.distws.web;

import io.distws.api.HistoryFrames;
import io.distws.api.Message;
import io.distws.api.StreamPosition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The history frames of the {@code /ws} protocol: message frames get {@code "offset"} and {@code "epoch"}; a loss is
 * {@code {"type":"error","code":"lost",...}} with the position the client goes on from.
 */
@ApplicationScoped
public class WireHistoryFrames implements HistoryFrames {

    @Override
    public Message positioned(Message message, String room, StreamPosition position) {
        return WireProtocol.positioned(message, position);
    }

    @Override
    public Message lost(String room, StreamPosition now) {
        return Message.text(WireProtocol.lost(room, now));
    }
}
