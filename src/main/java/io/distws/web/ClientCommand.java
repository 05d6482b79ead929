package io.distws.web;

import io.distws.api.Opcode;
import io.distws.api.StreamPosition;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * One parsed client frame: send to one user, to several or to everyone; publish to a room; join or leave a room;
 * ask who is in one.
 *
 * @param id     optional client-chosen id echoed in the answer ({@code ack}, {@code joined}, ...), or null
 * @param to     recipients (one for {@link Kind#SEND}, none but for {@link Kind#SEND_MULTI})
 * @param data   the payload, any JSON value; null for the room commands without one
 * @param opcode how recipients receive it, or null for the configured default
 * @param room   the room of {@link Kind#PUBLISH}, {@link Kind#JOIN}, {@link Kind#LEAVE}, {@link Kind#PRESENCE}; else null
 * @param except users whose connections do not receive a {@link Kind#PUBLISH} or {@link Kind#BROADCAST}; may be empty
 * @param since  the room stream's position a {@link Kind#JOIN} recovers from ({@code since} and {@code epoch}), or null
 */
public record ClientCommand(Kind kind, String id, List<String> to, JsonValue data, Opcode opcode, String room,
                            List<String> except, StreamPosition since) {

    public enum Kind { SEND, SEND_MULTI, BROADCAST, PUBLISH, JOIN, LEAVE, PRESENCE }

    /** Whether this frame carries a message to route (rather than a room command). */
    public boolean routesMessage() {
        return kind == Kind.SEND || kind == Kind.SEND_MULTI || kind == Kind.BROADCAST || kind == Kind.PUBLISH;
    }
}
