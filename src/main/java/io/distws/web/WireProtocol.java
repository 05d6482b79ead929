package io.distws.web;

import io.distws.api.Opcode;
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

/**
 * The JSON frames of the bundled {@code /ws} endpoint (see the README): parses client frames, builds server frames.
 * Stateless and thread-safe.
 */
public final class WireProtocol {

    public static final String BAD_REQUEST = "bad_request";
    public static final String OFFLINE = "offline";
    public static final String TOO_LARGE = "too_large";
    public static final String INTERNAL = "internal";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String FORBIDDEN = "forbidden";
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
     * {@code {"type":"broadcast","data":...}} or the seed's {@code {"uid":"2","data":...}}; optional
     * {@code "opcode":"text"|"binary"} and {@code "id"}. The sender is never part of a frame: it is the connection's
     * user.
     *
     * @param maxRecipients the most users a {@code sendMulti} may name
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
        JsonValue data = frame.get("data");
        if (data == null) {
            throw bad("field 'data' is required");
        }
        Opcode opcode = null;
        if (frame.containsKey("opcode")) {
            try {
                opcode = Opcode.parse(frame.get("opcode") instanceof JsonString s ? s.getString() : null);
            } catch (IllegalArgumentException e) {
                throw bad("field 'opcode' must be \"text\" or \"binary\"");
            }
        }
        String id = frame.get("id") instanceof JsonString s ? s.getString()
                : frame.get("id") instanceof JsonNumber n ? n.toString() : null;
        JsonValue type = frame.get("type");
        if (type == null && frame.containsKey("uid")) {
            return new ClientCommand(ClientCommand.Kind.SEND, id, List.of(uid(frame.get("uid"), "uid")), data, opcode);
        }
        if (!(type instanceof JsonString typeName)) {
            throw bad("field 'type' must be \"send\", \"sendMulti\" or \"broadcast\"");
        }
        switch (typeName.getString()) {
            case "send":
                return new ClientCommand(ClientCommand.Kind.SEND, id, List.of(uid(frame.get("to"), "to")), data, opcode);
            case "sendMulti":
                return new ClientCommand(ClientCommand.Kind.SEND_MULTI, id, uids(frame.get("to"), maxRecipients), data,
                        opcode);
            case "broadcast":
                return new ClientCommand(ClientCommand.Kind.BROADCAST, id, List.of(), data, opcode);
            default:
                throw bad("unknown type '" + typeName.getString() + "': use send, sendMulti or broadcast");
        }
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

    private static List<String> uids(JsonValue value, int maxRecipients) throws ProtocolException {
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw bad("field 'to' must be a non-empty array of user ids");
        }
        if (array.size() > maxRecipients) {
            throw bad("field 'to' lists " + array.size() + " users; at most " + maxRecipients + " are allowed");
        }
        LinkedHashSet<String> uids = new LinkedHashSet<>();
        for (JsonValue v : array) {
            uids.add(uid(v, "to"));
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
        return BUILDERS.createObjectBuilder().add("type", "message").add("from", from).add("data", data).build().toString();
    }

    /** What a recipient gets for a binary message: the data's UTF-8 bytes (a JSON string's content, else its JSON). */
    public static byte[] binaryPayload(JsonValue data) {
        String text = data instanceof JsonString s ? s.getString() : data.toString();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String welcome(String uid, String fd, String node) {
        return BUILDERS.createObjectBuilder().add("type", "welcome").add("uid", uid).add("fd", fd).add("node", node)
                .build().toString();
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
        return BUILDERS.createObjectBuilder().add("type", "error").add("code", code).add("message", message).build()
                .toString();
    }
}
