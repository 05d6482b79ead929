package io.distws.web;

import io.distws.api.HistoryFrames;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.StreamPosition;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The history frames of the {@code /ws} protocol: message frames get {@code "offset"} and {@code "epoch"}, a binary
 * message the frame {@code {"type":"position",...}} with them right before it; a loss is
 * {@code {"type":"error","code":"lost",...}} with the position the client goes on from.
 */
@ApplicationScoped
public class WireHistoryFrames implements HistoryFrames {

    @Override
    public List<Message> positioned(Message message, String room, StreamPosition position) {
        if (message.opcode() == Opcode.TEXT) {
            Message inline = WireProtocol.positioned(message, position);
            if (inline != message) {
                return List.of(inline);
            }
        }
        // Binary, or text that is not a JSON object (sent as it is, e.g. over REST): the position goes before it.
        return List.of(Message.text(WireProtocol.position(room, position)), message);
    }

    @Override
    public Message lost(String room, StreamPosition now) {
        return Message.text(WireProtocol.lost(room, now));
    }
}
