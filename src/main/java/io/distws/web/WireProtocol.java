package io.distws.web;

import static io.distws.core.Jsonp.JSON;

import io.distws.api.Message;
import io.distws.api.MessageTooLargeException;
import io.distws.api.Opcode;
import io.distws.api.OverloadedException;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The JSON frames of the bundled {@code /ws} endpoint (see the README): parses client frames, builds server frames.
 * Stateless and thread-safe.
 */
public final class WireProtocol {

    public static final String BAD_REQUEST = "bad_request";
    public static final String OFFLINE = "offline";
    public static final String TOO_LARGE = "too_large";
    public static final String INTERNAL = "internal";
    /** The node refused a send because Redis is behind; nothing was sent on, try again later. */
    public static final String OVERLOADED = "overloaded";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String FORBIDDEN = "forbidden";
    public static final String LOST = "lost";
    public static final String UNAUTHORIZED = "unauthorized";
    /** The default of {@code distws.limits.max-recipients}. */
    static final int DEFAULT_MAX_RECIPIENTS = 1000;
    static final int MAX_UID_LENGTH = 128;
    /** Arrays and objects nested deeper are refused before parsing, so no JSON-P implementation recurses deeply. */
    static final int MAX_NESTING = 64;

    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());
    /** Created once: {@code BUILDERS.createObjectBuilder()} looks the JSON-P provider up on every call. */
    private static final JsonBuilderFactory BUILDERS = Json.createBuilderFactory(Map.of());

    private WireProtocol() {
    }

    /** Parses a client frame allowing the default number of {@code sendMulti} recipients; see below. */
    public static ClientCommand parse(String text) throws ProtocolException {
        return parse(text, DEFAULT_MAX_RECIPIENTS);
    }

    /**
     * Parses a client frame: {@code {"type":"send","to":"2","data":...}}, {@code {"type":"sendMulti","to":[...],...}},
     * {@code {"type":"broadcast","data":...}} or the seed's {@code {"uid":"2","data":...}}; for rooms
     * {@code {"type":"publish","room":"R","data":...}}, {@code join}, {@code leave} and {@code presence} with a
     * {@code room}; optional {@code "opcode":"text"|"binary"}, {@code "id"}, and {@code "except":[uids]} on
     * {@code publish} and {@code broadcast}. The sender is never part of a frame: it is the connection's user. Room
     * names are checked by the node (see {@link io.distws.api.Rooms}).
     *
     * @param maxRecipients the most users a {@code sendMulti} (or an {@code except}) may name
     * @throws ProtocolException with code {@code bad_request} naming what is wrong
     */
    public static ClientCommand parse(String text, int maxRecipients) throws ProtocolException {
        if (nestedDeeperThan(text, MAX_NESTING)) {
            throw bad("frame nests arrays or objects deeper than " + MAX_NESTING + " levels");
        }
        JsonObject frame;
        try (JsonReader reader = READERS.createReader(new StringReader(text))) {
            frame = reader.readObject();
        } catch (RuntimeException e) { // JsonException, or what a JSON-P implementation throws on odd input
            throw bad("frame must be a JSON object");
        }
        String id = frame.get("id") instanceof JsonString s ? s.getString()
                : frame.get("id") instanceof JsonNumber n ? n.toString() : null;
        try {
            return command(frame, id, maxRecipients);
        } catch (ProtocolException e) {
            throw e.of(id);
        }
    }

    private static ClientCommand command(JsonObject frame, String id, int maxRecipients) throws ProtocolException {
        Opcode opcode = null;
        if (frame.containsKey("opcode")) {
            try {
                opcode = Opcode.parse(frame.get("opcode") instanceof JsonString s ? s.getString() : null);
            } catch (IllegalArgumentException e) {
                throw bad("field 'opcode' must be \"text\" or \"binary\"");
            }
        }
        JsonValue type = frame.get("type");
        if (type == null && frame.containsKey("uid")) {
            return new ClientCommand(ClientCommand.Kind.SEND, id, List.of(uid(frame.get("uid"), "uid")), data(frame),
                    opcode, null, List.of(), null);
        }
        if (!(type instanceof JsonString typeName)) {
            throw bad("field 'type' must be one of " + TYPES);
        }
        return switch (typeName.getString()) {
            case "send" -> new ClientCommand(ClientCommand.Kind.SEND, id, List.of(uid(frame.get("to"), "to")),
                    data(frame), opcode, null, List.of(), null);
            case "sendMulti" -> new ClientCommand(ClientCommand.Kind.SEND_MULTI, id,
                    uids(frame.get("to"), "to", maxRecipients, false), data(frame), opcode, null, List.of(), null);
            case "broadcast" -> new ClientCommand(ClientCommand.Kind.BROADCAST, id, List.of(), data(frame), opcode,
                    null, except(frame, maxRecipients), null);
            case "publish" -> new ClientCommand(ClientCommand.Kind.PUBLISH, id, List.of(), data(frame), opcode,
                    room(frame), except(frame, maxRecipients), null);
            case "join" -> roomCommand(ClientCommand.Kind.JOIN, id, frame);
            case "leave" -> roomCommand(ClientCommand.Kind.LEAVE, id, frame);
            case "presence" -> roomCommand(ClientCommand.Kind.PRESENCE, id, frame);
            default -> throw bad("unknown type '" + typeName.getString() + "': use one of " + TYPES);
        };
    }

    private static final String TYPES = "send, sendMulti, broadcast, publish, join, leave, presence";

    private static ClientCommand roomCommand(ClientCommand.Kind kind, String id, JsonObject frame)
            throws ProtocolException {
        return new ClientCommand(kind, id, List.of(), null, null, room(frame), List.of(),
                kind == ClientCommand.Kind.JOIN ? since(frame) : null);
    }

    /** The optional {@code "since":n,"epoch":"e"} of a join: both or neither. */
    private static StreamPosition since(JsonObject frame) throws ProtocolException {
        if (!frame.containsKey("since") && !frame.containsKey("epoch")) {
            return null;
        }
        StreamPosition since = position(frame.get("since") instanceof JsonNumber n && n.isIntegral()
                ? n.toString() : null, frame.get("epoch") instanceof JsonString e ? e.getString() : null);
        if (since == null) {
            throw bad("fields 'since' (an offset, a whole number from 0) and 'epoch' (a string) go together");
        }
        return since;
    }

    /**
     * A stream position from its parts, as a client gives them ({@code ?since=&epoch=} or a join's fields), or null
     * when they are missing or malformed.
     */
    public static StreamPosition position(String offset, String epoch) {
        if (offset == null || epoch == null || epoch.isEmpty() || epoch.length() > 64 || offset.length() > 19
                || !offset.chars().allMatch(c -> c >= '0' && c <= '9') || offset.isEmpty()) {
            return null;
        }
        try {
            return new StreamPosition(Long.parseLong(offset), epoch);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static JsonValue data(JsonObject frame) throws ProtocolException {
        JsonValue data = frame.get("data");
        if (data == null) {
            throw bad("field 'data' is required");
        }
        return data;
    }

    private static String room(JsonObject frame) throws ProtocolException {
        if (frame.get("room") instanceof JsonString room && !room.getString().isEmpty()) {
            return room.getString();
        }
        throw bad("field 'room' must be a room name (a non-empty string)");
    }

    private static List<String> except(JsonObject frame, int maxRecipients) throws ProtocolException {
        return frame.containsKey("except") ? uids(frame.get("except"), "except", maxRecipients, true) : List.of();
    }

    private static String uid(JsonValue value, String field) throws ProtocolException {
        String uid = value instanceof JsonString s ? s.getString()
                : value instanceof JsonNumber n && n.isIntegral() ? n.toString() : null;
        if (uid == null || uid.isBlank() || uid.length() > MAX_UID_LENGTH) {
            throw bad("field '" + field + "' must be a user id (a non-empty string of at most " + MAX_UID_LENGTH
                    + " characters)");
        }
        return uid;
    }

    private static List<String> uids(JsonValue value, String field, int maxRecipients, boolean mayBeEmpty)
            throws ProtocolException {
        if (!(value instanceof JsonArray array) || (array.isEmpty() && !mayBeEmpty)) {
            throw bad("field '" + field + "' must be a" + (mayBeEmpty ? "n" : " non-empty") + " array of user ids");
        }
        if (array.size() > maxRecipients) {
            throw bad("field '" + field + "' lists " + array.size() + " users; at most " + maxRecipients
                    + " are allowed");
        }
        LinkedHashSet<String> uids = new LinkedHashSet<>();
        for (JsonValue v : array) {
            uids.add(uid(v, field));
        }
        return new ArrayList<>(uids);
    }

    /** Whether brackets and braces outside strings nest deeper than {@code max}; one pass, no parsing. */
    static boolean nestedDeeperThan(String text, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max) {
                    return true;
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return false;
    }

    /** Whether the text's UTF-8 encoding is longer than {@code maxBytes}, without encoding it. */
    static boolean utf8LongerThan(String text, int maxBytes) {
        if (text.length() > maxBytes) {
            return true;
        }
        if ((long) text.length() * 3 <= maxBytes) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4 bytes
        }
        return bytes > maxBytes;
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(BAD_REQUEST, message);
    }

    /** What a recipient gets for a text message: {@code {"type":"message","from":"<uid>","data":...}}. */
    public static String message(String from, JsonValue data) {
        // Written out rather than built as an object: this is every message's frame, and the builder, the object and
        // its writer were an eighth of the sending node's allocation per message. The same text as the builder's.
        return "{\"type\":\"message\",\"from\":" + JSON.createValue(from) + ",\"data\":" + data + "}";
    }

    /** What a member gets for a room message: {@code {"type":"message","from":"<uid>","room":"R","data":...}}. */
    public static String roomMessage(String from, String room, JsonValue data) {
        return "{\"type\":\"message\",\"from\":" + JSON.createValue(from) + ",\"room\":" + JSON.createValue(room)
                + ",\"data\":" + data + "}";
    }

    /**
     * {@code {"type":"joined"|"left","room":"R","uid":"U"}}: the answer to a join or leave, and what the other members
     * get when a user's first connection joins or its last one leaves; with the client's {@code id} when it gave one.
     */
    public static String presenceChange(boolean joined, String room, String uid, String id) {
        return presenceChange(joined, room, uid, id, null, false);
    }

    /** The same, with the room stream's position (history on) and whether the missed messages follow. */
    public static String presenceChange(boolean joined, String room, String uid, String id, Recovery recovery,
                                        boolean askedToRecover) {
        JsonObjectBuilder frame = BUILDERS.createObjectBuilder().add("type", joined ? "joined" : "left")
                .add("room", room).add("uid", uid);
        if (id != null) {
            frame.add("id", id);
        }
        position(frame, recovery, askedToRecover);
        return frame.build().toString();
    }

    /** {@code {"type":"presence","room":"R","users":[...],"connections":n}}: who is in a room. */
    public static String presence(io.distws.api.RoomMembers members, String id) {
        var users = BUILDERS.createArrayBuilder();
        members.users().keySet().forEach(users::add);
        JsonObjectBuilder frame = BUILDERS.createObjectBuilder().add("type", "presence").add("room", members.room())
                .add("users", users).add("connections", members.connections());
        if (!members.complete()) {
            frame.add("complete", false);
        }
        if (id != null) {
            frame.add("id", id);
        }
        return frame.build().toString();
    }

    /** What a recipient gets for a binary message: the data's UTF-8 bytes (a JSON string's content, else its JSON). */
    public static byte[] binaryPayload(JsonValue data) {
        String text = data instanceof JsonString s ? s.getString() : data.toString();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String welcome(String uid, String fd, String node) {
        return welcome(uid, fd, node, null, false);
    }

    /**
     * {@code {"type":"welcome","uid":..,"fd":..,"node":..,"offset":n,"epoch":"e","recovered":b}}: the user stream's
     * position when {@code recovery} is given (history on), and whether the missed messages follow when
     * {@code askedToRecover}.
     */
    public static String welcome(String uid, String fd, String node, Recovery recovery, boolean askedToRecover) {
        JsonObjectBuilder welcome = BUILDERS.createObjectBuilder().add("type", "welcome").add("uid", uid)
                .add("fd", fd).add("node", node);
        position(welcome, recovery, askedToRecover);
        return welcome.build().toString();
    }

    private static void position(JsonObjectBuilder frame, Recovery recovery, boolean askedToRecover) {
        if (recovery != null) {
            frame.add("offset", recovery.position().offset()).add("epoch", recovery.position().epoch());
            if (askedToRecover) {
                frame.add("recovered", recovery.recovered());
            }
        }
    }

    /**
     * A frame with the position of its message in its stream: {@code "offset"} and {@code "epoch"} added to the JSON
     * object of a text frame (as its last fields); any other frame as it is, the same instance (see {@link #position}).
     */
    public static Message positioned(Message message, StreamPosition position) {
        if (message.opcode() != Opcode.TEXT) {
            return message;
        }
        String text = message.text();
        int end = text.lastIndexOf('}');
        if (!text.startsWith("{") || end < 0) {
            return message;
        }
        String fields = "\"offset\":" + position.offset() + ",\"epoch\":" + JSON.createValue(position.epoch());
        String before = text.substring(0, end).stripTrailing();
        return Message.text(before + (before.endsWith("{") ? "" : ",") + fields + text.substring(end));
    }

    /**
     * {@code {"type":"position","offset":n,"epoch":"e"}} (with {@code "room"} for a room stream): the position of the
     * binary message that follows it, which cannot carry it itself.
     */
    public static String position(String room, StreamPosition position) {
        JsonObjectBuilder frame = BUILDERS.createObjectBuilder().add("type", "position");
        if (room != null) {
            frame.add("room", room);
        }
        return frame.add("offset", position.offset()).add("epoch", position.epoch()).build().toString();
    }

    /** {@code {"type":"error","code":"lost",...}}: messages of a stream are gone; the client goes on from {@code now}. */
    public static String lost(String room, StreamPosition now) {
        JsonObjectBuilder frame = BUILDERS.createObjectBuilder().add("type", "error").add("code", LOST)
                .add("message", (room == null ? "messages to you" : "messages of room " + room)
                        + " were lost and cannot be replayed");
        if (room != null) {
            frame.add("room", room);
        }
        return frame.add("offset", now.offset()).add("epoch", now.epoch()).build().toString();
    }

    /** {@code {"type":"ack","id":...,"routed":n}}: how many connections a client's message was routed to. */
    public static String ack(String id, int routed) {
        JsonObjectBuilder ack = BUILDERS.createObjectBuilder().add("type", "ack");
        if (id != null) {
            ack.add("id", id);
        }
        return ack.add("routed", routed).build().toString();
    }

    public static String error(String code, String message) {
        return error(code, message, null);
    }

    /** {@code {"type":"error","code":...,"message":...,"id":...}}: the {@code id} of the frame it answers, if any. */
    public static String error(String code, String message, String id) {
        JsonObjectBuilder error = BUILDERS.createObjectBuilder().add("type", "error").add("code", code)
                .add("message", message);
        if (id != null) {
            error.add("id", id);
        }
        return error.build().toString();
    }

    /**
     * The error frame answering a send whose stage failed: {@code too_large}, {@code overloaded} (the node refused it
     * while Redis is behind: try again later) or, for anything else, {@code internal} (Redis unavailable).
     */
    public static String sendFailed(Throwable failure, String id) {
        Throwable cause = causeOf(failure);
        if (cause instanceof MessageTooLargeException) {
            return error(TOO_LARGE, cause.getMessage(), id);
        }
        if (cause instanceof OverloadedException) {
            return error(OVERLOADED, "the node is overloaded (" + cause.getMessage()
                    + "): the message was not sent on; try again later", id);
        }
        return error(INTERNAL, "the message could not be routed", id);
    }

    /** What a stage failed with, without the {@link CompletionException} wrapped around it on the way. */
    static Throwable causeOf(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
