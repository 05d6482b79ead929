package io.distws.core;

import io.distws.api.Message;
import io.distws.api.Opcode;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.JsonReaderFactory;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Encodes packets as versioned JSON and validates what it decodes: a packet from Redis is untrusted input.
 *
 * <pre>{"v":1,"origin":"node1:k3x9a2","envelopes":[{"to":[7,9],"op":"text","data":"hi"},{"op":"binary","data":"aGk="}]}</pre>
 * An envelope without {@code to} is for every connection of the receiving node; binary data is Base64.
 * Thread-safe.
 */
public final class PacketCodec {

    public static final int VERSION = 1;

    private final JsonGeneratorFactory generators = Json.createGeneratorFactory(Map.of());
    private final JsonReaderFactory readers = Json.createReaderFactory(Map.of());
    private final int maxPacketChars;

    public PacketCodec(int maxPacketChars) {
        this.maxPacketChars = maxPacketChars;
    }

    public String encode(String origin, List<Envelope> envelopes) {
        StringWriter out = new StringWriter(64 + 128 * envelopes.size());
        try (JsonGenerator g = generators.createGenerator(out)) {
            g.writeStartObject().write("v", VERSION).write("origin", origin).writeStartArray("envelopes");
            for (Envelope e : envelopes) {
                g.writeStartObject();
                if (e.fds() != null) {
                    g.writeStartArray("to");
                    for (long fd : e.fds()) {
                        g.write(fd);
                    }
                    g.writeEnd();
                }
                Message m = e.message();
                g.write("op", m.opcode().wireName());
                g.write("data", m.opcode() == Opcode.TEXT ? m.text() : Base64.getEncoder().encodeToString(m.bytes()));
                g.writeEnd();
            }
            g.writeEnd().writeEnd();
        }
        return out.toString();
    }

    public Packet decode(String text) throws MalformedPacketException {
        if (text == null || text.length() > maxPacketChars) {
            throw new MalformedPacketException("packet is missing or longer than " + maxPacketChars + " chars");
        }
        JsonObject root;
        try (JsonReader reader = readers.createReader(new StringReader(text))) {
            root = reader.readObject();
        } catch (RuntimeException | StackOverflowError e) {
            // JsonException, or whatever the JSON-P provider throws on hostile input (e.g. "too deeply nested").
            throw new MalformedPacketException("packet is not a JSON object: " + e, e);
        }
        int version = intField(root, "v");
        if (version != VERSION) {
            throw new MalformedPacketException("unsupported packet version " + version + " (this node reads " + VERSION + ")");
        }
        String origin = stringField(root, "origin");
        JsonArray envelopes = arrayField(root, "envelopes");
        List<Envelope> decoded = new ArrayList<>(envelopes.size());
        for (JsonValue value : envelopes) {
            if (!(value instanceof JsonObject envelope)) {
                throw new MalformedPacketException("envelope is not an object");
            }
            decoded.add(decodeEnvelope(envelope));
        }
        return new Packet(version, origin, decoded);
    }

    private static Envelope decodeEnvelope(JsonObject e) throws MalformedPacketException {
        long[] fds = null;
        if (e.containsKey("to")) {
            JsonArray to = arrayField(e, "to");
            fds = new long[to.size()];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = to.get(i) instanceof JsonNumber n && n.isIntegral() ? exactLong(n) : -1;
                if (fds[i] <= 0) {
                    throw new MalformedPacketException("envelope 'to' must hold positive whole numbers");
                }
            }
        }
        Opcode opcode;
        try {
            opcode = Opcode.parse(stringField(e, "op"));
        } catch (IllegalArgumentException ex) {
            throw new MalformedPacketException(ex.getMessage());
        }
        String data = stringField(e, "data");
        if (opcode == Opcode.TEXT) {
            return new Envelope(fds, Message.text(data));
        }
        try {
            return new Envelope(fds, Message.binary(Base64.getDecoder().decode(data)));
        } catch (IllegalArgumentException ex) {
            throw new MalformedPacketException("binary envelope data is not Base64");
        }
    }

    private static int intField(JsonObject o, String name) throws MalformedPacketException {
        if (o.get(name) instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.intValueExact();
            } catch (ArithmeticException tooLarge) {
                // falls through to the error below
            }
        }
        throw new MalformedPacketException("field '" + name + "' must be a whole number");
    }

    /** The number's exact value, or -1 if it does not fit a long (never truncated into a valid fd). */
    private static long exactLong(JsonNumber n) {
        try {
            return n.longValueExact();
        } catch (ArithmeticException tooLarge) {
            return -1;
        }
    }

    private static String stringField(JsonObject o, String name) throws MalformedPacketException {
        if (o.get(name) instanceof JsonString s) {
            return s.getString();
        }
        throw new MalformedPacketException("field '" + name + "' must be a string");
    }

    private static JsonArray arrayField(JsonObject o, String name) throws MalformedPacketException {
        if (o.get(name) instanceof JsonArray a) {
            return a;
        }
        throw new MalformedPacketException("field '" + name + "' must be an array");
    }
}
