package io.distws.web;

import io.distws.api.Opcode;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * One parsed client frame: send to one user, to several, or to everyone.
 *
 * @param id     optional client-chosen id echoed in the {@code ack} frame, or null
 * @param to     recipients (one for {@link Kind#SEND}, none for {@link Kind#BROADCAST})
 * @param data   the payload, any JSON value
 * @param opcode how recipients receive it, or null for the configured default
 */
public record ClientCommand(Kind kind, String id, List<String> to, JsonValue data, Opcode opcode) {

    public enum Kind { SEND, SEND_MULTI, BROADCAST }
}
