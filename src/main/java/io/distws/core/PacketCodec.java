package io.distws.core;

import io.distws.api.Message;
import io.distws.api.Opcode;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encodes packets as versioned JSON and validates what it decodes: a packet from Redis is untrusted input.
 *
 * <pre>{"v":1,"origin":"node1:k3x9a2","stream":1,"seq":17,"routed":5012,
 *  "envelopes":[{"to":[7,9],"op":"text","data":"hi"},{"op":"binary","data":"aGk="}]}</pre>
 * An envelope without {@code to} is for every connection of the receiving node; binary data is Base64.
 * {@code stream} and {@code seq} (positive whole numbers) number the packets of one origin to one destination; both
 * are optional, so packets of senders that predate them are still read (and not checked), and readers that predate
 * them ignore them. So is {@code routed}, how far the origin's routing was (see {@link Packet}).
 *
 * <p>Version 2 adds rooms, exceptions and commands, which a version 1 reader would misread (a room message without
 * {@code to} would reach everyone), so only a packet that carries one of them is marked {@code "v":2}, and version 1
 * readers refuse it as a whole:
 * <pre>{"room":"lobby","except":{"users":["bob"],"fds":["node1:k3x9a2-7"]},"op":"text","data":"hi"}
 * {"to":[7],"pos":{"s":"u:ann","o":42,"e":"Xy3_a9Qc"},"op":"text","data":"hi"}
 * {"cmd":"close","to":[7],"code":1008,"reason":"kicked"}
 * {"cmd":"join","room":"lobby","to":[7,9]}    {"cmd":"leave","room":"lobby","to":[9]}</pre>
 * Thread-safe.
 */
public final class PacketCodec {

    /** The newest version this codec writes and reads; it reads every older one too. */
    public static final int VERSION = 2;
    /** The version of packets without rooms, exceptions or commands. */
    static final int PLAIN_VERSION = 1;

    private final JsonGeneratorFactory generators = Json.createGeneratorFactory(Map.of());
    private final JsonParserFactory parsers = Json.createParserFactory(Map.of());
    private final int maxPacketChars;

    public PacketCodec(int maxPacketChars) {
        this.maxPacketChars = maxPacketChars;
    }

    /** The longest packet {@link #decode} accepts, in chars; a packet's UTF-8 bytes are never fewer than its chars. */
    public int maxPacketChars() {
        return maxPacketChars;
    }

    /**
     * At least the UTF-8 bytes of a packet from {@code origin} with no envelopes (stream and seq of any value); add
     * {@link #envelopeBytesBound} for each envelope.
     */
    public long packetBytesBound(String origin) {
        return "{'v':1,'origin':'','stream':,'seq':,'routed':,'envelopes':[]}".length() + escapedBytesBound(origin)
                + 3L * 20;
    }

    /** At least the UTF-8 bytes this envelope adds to a packet, the comma between envelopes included. */
    public long envelopeBytesBound(Envelope envelope) {
        long bytes = "{'to':[],'room':'','except':{'users':[],'fds':[]},'op':'binary','data':''},".length();
        if (envelope instanceof Envelope.Command c) {
            bytes += "'cmd':'leave','code':,'reason':'',".length() + 11 + fdsBound(c.fds())
                    + escapedBytesBound(c.room()) + escapedBytesBound(c.reason());
            return bytes;
        }
        Envelope.Delivery e = (Envelope.Delivery) envelope;
        bytes += fdsBound(e.fds()) + escapedBytesBound(e.room());
        if (e.mark() != null) {
            bytes += "'pos':{'s':'','o':,'e':''},".length() + 20 + escapedBytesBound(e.mark().stream())
                    + escapedBytesBound(e.mark().epoch());
        }
        for (String uid : e.except().users()) {
            bytes += escapedBytesBound(uid) + 3;
        }
        for (var fd : e.except().fds()) {
            bytes += escapedBytesBound(fd.toString()) + 3;
        }
        Message m = e.message();
        if (m.opcode() == Opcode.TEXT) {
            bytes += escapedBytesBound(m.text());
        } else {
            bytes += 4L * ((m.bytes().length + 2) / 3);
        }
        return bytes;
    }

    private static long fdsBound(long[] fds) {
        return fds == null ? 0 : 21L * fds.length;
    }

    /**
     * At least the UTF-8 bytes of {@code text} as a JSON string body: quote, backslash and slash may be escaped with a
     * backslash, other control characters as a six-char unicode escape, and a non-ASCII char takes at most three bytes
     * (a surrogate pair four for its two chars).
     */
    private static long escapedBytesBound(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c == '/') {
                bytes += 2;
            } else if (c < 0x20 || c == 0x7F) {
                bytes += 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** A packet without a sequence number (not checked by the receiver). */
    public String encode(String origin, List<Envelope> envelopes) {
        return encode(origin, Packet.UNSEQUENCED, Packet.UNSEQUENCED, envelopes);
    }

    /** Packet {@code seq} (from 1) of the origin's stream {@code stream} (from 1) to one destination. */
    public String encode(String origin, long stream, long seq, List<Envelope> envelopes) {
        return encode(origin, stream, seq, Packet.UNSEQUENCED, envelopes);
    }

    /** The same, telling how far the origin's routing was when the last envelope was handed on (0: not told). */
    public String encode(String origin, long stream, long seq, long routed, List<Envelope> envelopes) {
        StringWriter out = new StringWriter(64 + 128 * envelopes.size());
        try (JsonGenerator g = generators.createGenerator(out)) {
            g.writeStartObject().write("v", versionFor(envelopes)).write("origin", origin);
            if (seq > 0) {
                g.write("stream", stream).write("seq", seq);
            }
            if (routed > 0) {
                g.write("routed", routed);
            }
            g.writeStartArray("envelopes");
            for (Envelope envelope : envelopes) {
                g.writeStartObject();
                if (envelope instanceof Envelope.Command c) {
                    writeCommand(g, c);
                } else {
                    writeDelivery(g, (Envelope.Delivery) envelope);
                }
                g.writeEnd();
            }
            g.writeEnd().writeEnd();
        }
        return out.toString();
    }

    /** Version 1 while the packet holds only what version 1 readers understand (see the class comment). */
    private static int versionFor(List<Envelope> envelopes) {
        for (Envelope e : envelopes) {
            if (!(e instanceof Envelope.Delivery d) || d.room() != null || !d.except().isEmpty() || d.mark() != null) {
                return VERSION;
            }
        }
        return PLAIN_VERSION;
    }

    private static void writeDelivery(JsonGenerator g, Envelope.Delivery e) {
        writeFds(g, e.fds());
        if (e.room() != null) {
            g.write("room", e.room());
        }
        if (e.mark() != null) {
            g.writeStartObject("pos").write("s", e.mark().stream()).write("o", e.mark().offset())
                    .write("e", e.mark().epoch()).writeEnd();
        }
        if (!e.except().isEmpty()) {
            g.writeStartObject("except").writeStartArray("users");
            e.except().users().forEach(g::write);
            g.writeEnd().writeStartArray("fds");
            e.except().fds().forEach(fd -> g.write(fd.toString()));
            g.writeEnd().writeEnd();
        }
        Message m = e.message();
        g.write("op", m.opcode().wireName());
        g.write("data", m.opcode() == Opcode.TEXT ? m.text() : Base64.getEncoder().encodeToString(m.bytes()));
    }

    private static void writeCommand(JsonGenerator g, Envelope.Command c) {
        g.write("cmd", c.action().name().toLowerCase(Locale.ROOT));
        writeFds(g, c.fds());
        if (c.room() != null) {
            g.write("room", c.room());
        }
        if (c.action() == Envelope.Command.Action.CLOSE) {
            g.write("code", c.code()).write("reason", c.reason());
        }
    }

    private static void writeFds(JsonGenerator g, long[] fds) {
        if (fds != null) {
            g.writeStartArray("to");
            for (long fd : fds) {
                g.write(fd);
            }
            g.writeEnd();
        }
    }

    public Packet decode(String text) throws MalformedPacketException {
        if (text == null || text.length() > maxPacketChars) {
            throw new MalformedPacketException("packet is missing or longer than " + maxPacketChars + " chars");
        }
        try (JsonParser parser = parsers.createParser(new StringReader(text))) {
            return new PacketReader(parser).read();
        } catch (RuntimeException | StackOverflowError e) {
            // JsonException, or whatever the JSON-P provider throws on hostile input (e.g. "too deeply nested").
            throw new MalformedPacketException("packet is not valid JSON: " + e, e);
        }
    }
}
