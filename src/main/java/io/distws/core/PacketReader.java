package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.StreamPosition;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one packet (the wire shape is {@link PacketCodec}'s) from a streaming JSON parser, without building the JSON
 * object model: the receiving node's largest allocation per message was that model (findings item 18).
 *
 * <p>Fields may come in any order, and the version is known only once the whole packet is read. So each envelope is
 * first read as its raw fields, a field of the wrong type kept as {@link #WRONG_TYPE}, and judged by the version
 * afterwards: a version 1 reader must not refuse a packet for a version 2 field it ignores. Unknown fields are
 * skipped, and of a repeated field the last one counts, as with the object model. Not thread-safe: one per packet.
 */
final class PacketReader {

    /** A field present with a value of the wrong type; its error is raised only if the field is read. */
    private static final Object WRONG_TYPE = new Object();

    private final JsonParser parser;

    PacketReader(JsonParser parser) {
        this.parser = parser;
    }

    /** The raw fields of one envelope; each null when absent. */
    private static final class RawEnvelope {
        long[] to;
        Object room;
        Object op;
        Object data;
        Object cmd;
        Object code;
        Object reason;
        /** A {@link JsonObject}, or {@link #WRONG_TYPE}. */
        Object except;
        /** A {@link RawPosition}, or {@link #WRONG_TYPE}. */
        Object pos;
    }

    /** The raw fields of an envelope's {@code pos}. */
    private record RawPosition(Object stream, Object offset, Object epoch) {
    }

    Packet read() throws MalformedPacketException {
        if (parser.next() != Event.START_OBJECT) {
            throw new MalformedPacketException("packet is not a JSON object");
        }
        Object version = null;
        Object origin = null;
        long seq = Packet.UNSEQUENCED;
        long stream = Packet.UNSEQUENCED;
        long routed = Packet.UNSEQUENCED;
        List<RawEnvelope> envelopes = null;
        while (parser.next() == Event.KEY_NAME) {
            String key = parser.getString();
            Event value = parser.next();
            switch (key) {
                case "v" -> version = wholeNumber(value);
                case "origin" -> origin = string(value);
                case "seq" -> seq = positiveLong(value, "seq");
                case "stream" -> stream = positiveLong(value, "stream");
                case "routed" -> routed = positiveLong(value, "routed");
                case "envelopes" -> envelopes = envelopes(value);
                default -> skip(value);
            }
        }
        if (parser.hasNext()) {
            throw new MalformedPacketException("packet has more than one JSON value");
        }
        int v = intField(version, "v");
        if (v < PacketCodec.PLAIN_VERSION || v > PacketCodec.VERSION) {
            throw new MalformedPacketException("unsupported packet version " + v + " (this node reads "
                    + PacketCodec.PLAIN_VERSION + " to " + PacketCodec.VERSION + ")");
        }
        String from = stringField(origin, "origin");
        if (seq == Packet.UNSEQUENCED && stream != Packet.UNSEQUENCED) {
            throw new MalformedPacketException("field 'stream' without 'seq'");
        }
        if (envelopes == null) {
            throw new MalformedPacketException("field 'envelopes' must be an array");
        }
        List<Envelope> decoded = new ArrayList<>(envelopes.size());
        for (RawEnvelope envelope : envelopes) {
            decoded.add(v == PacketCodec.PLAIN_VERSION ? delivery(envelope, false)
                    : envelope.cmd != null ? command(envelope) : delivery(envelope, true));
        }
        return new Packet(v, from, stream, seq, routed, decoded);
    }

    private List<RawEnvelope> envelopes(Event value) throws MalformedPacketException {
        if (value != Event.START_ARRAY) {
            throw new MalformedPacketException("field 'envelopes' must be an array");
        }
        List<RawEnvelope> envelopes = new ArrayList<>();
        for (Event e = parser.next(); e != Event.END_ARRAY; e = parser.next()) {
            if (e != Event.START_OBJECT) {
                throw new MalformedPacketException("envelope is not an object");
            }
            envelopes.add(envelope());
        }
        return envelopes;
    }

    /** An envelope's fields, its START_OBJECT read. */
    private RawEnvelope envelope() throws MalformedPacketException {
        RawEnvelope e = new RawEnvelope();
        while (parser.next() == Event.KEY_NAME) {
            String key = parser.getString();
            Event value = parser.next();
            switch (key) {
                case "to" -> e.to = fds(value); // every reader reads it: checked at once
                case "room" -> e.room = string(value);
                case "op" -> e.op = string(value);
                case "data" -> e.data = string(value);
                case "cmd" -> e.cmd = string(value);
                case "code" -> e.code = wholeNumber(value);
                case "reason" -> e.reason = string(value);
                case "except" -> e.except = value == Event.START_OBJECT ? parser.getObject() : skipped(value);
                case "pos" -> e.pos = value == Event.START_OBJECT ? position() : skipped(value);
                default -> skip(value);
            }
        }
        return e;
    }

    private RawPosition position() throws MalformedPacketException {
        Object stream = null;
        Object offset = null;
        Object epoch = null;
        while (parser.next() == Event.KEY_NAME) {
            String key = parser.getString();
            Event value = parser.next();
            switch (key) {
                case "s" -> stream = string(value);
                case "o" -> offset = value == Event.VALUE_NUMBER && parser.isIntegralNumber()
                        ? (Object) exactLong() : skipped(value);
                case "e" -> epoch = string(value);
                default -> skip(value);
            }
        }
        return new RawPosition(stream, offset, epoch);
    }

    /** A delivery; {@code rooms} allows the fields of version 2 (a version 1 reader ignored them). */
    private static Envelope delivery(RawEnvelope e, boolean rooms) throws MalformedPacketException {
        String room = null;
        Except except = Except.NONE;
        Mark mark = null;
        if (rooms) {
            room = e.room == null ? null : stringField(e.room, "room");
            if (room != null && e.to != null) {
                throw new MalformedPacketException("envelope has both 'to' and 'room'");
            }
            if (e.except != null) {
                except = except(e.except);
            }
            if (e.pos != null) {
                mark = mark(e.pos);
            }
        }
        Opcode opcode;
        try {
            opcode = Opcode.parse(stringField(e.op, "op"));
        } catch (IllegalArgumentException ex) {
            throw new MalformedPacketException(ex.getMessage());
        }
        String data = stringField(e.data, "data");
        if (opcode == Opcode.TEXT) {
            return new Envelope.Delivery(e.to, room, except, Message.text(data), mark);
        }
        try {
            return new Envelope.Delivery(e.to, room, except, Message.binary(Base64.getDecoder().decode(data)),
                    mark);
        } catch (IllegalArgumentException ex) {
            throw new MalformedPacketException("binary envelope data is not Base64");
        }
    }

    private static Envelope command(RawEnvelope e) throws MalformedPacketException {
        Envelope.Command.Action action;
        String cmd = stringField(e.cmd, "cmd");
        try {
            action = Envelope.Command.Action.valueOf(cmd.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new MalformedPacketException("unknown command '" + cmd + "'");
        }
        if (e.to == null) {
            throw new MalformedPacketException("field 'to' must be an array");
        }
        return action == Envelope.Command.Action.CLOSE
                ? Envelope.Command.close(e.to, intField(e.code, "code"), stringField(e.reason, "reason"))
                : Envelope.Command.membership(action == Envelope.Command.Action.JOIN, e.to, stringField(e.room, "room"));
    }

    private long[] fds(Event value) throws MalformedPacketException {
        if (value != Event.START_ARRAY) {
            throw new MalformedPacketException("field 'to' must be an array");
        }
        long[] fds = new long[4];
        int n = 0;
        for (Event e = parser.next(); e != Event.END_ARRAY; e = parser.next()) {
            long fd = e == Event.VALUE_NUMBER && parser.isIntegralNumber() ? exactLong() : -1;
            if (fd <= 0) {
                throw new MalformedPacketException("envelope 'to' must hold positive whole numbers");
            }
            if (n == fds.length) {
                fds = Arrays.copyOf(fds, n * 2);
            }
            fds[n++] = fd;
        }
        return n == fds.length ? fds : Arrays.copyOf(fds, n);
    }

    private static Mark mark(Object raw) throws MalformedPacketException {
        if (!(raw instanceof RawPosition pos)) {
            throw new MalformedPacketException("field 'pos' must be an object");
        }
        long offset = pos.offset() instanceof Long o ? o : -1;
        if (offset <= 0) {
            throw new MalformedPacketException("'pos.o' must be a positive whole number");
        }
        return new Mark(stringField(pos.stream(), "s"), new StreamPosition(offset, stringField(pos.epoch(), "e")));
    }

    private static Except except(Object raw) throws MalformedPacketException {
        if (!(raw instanceof JsonObject except)) {
            throw new MalformedPacketException("field 'except' must be an object");
        }
        Set<String> users = new HashSet<>();
        for (JsonValue v : array(except, "users")) {
            if (!(v instanceof JsonString s)) {
                throw new MalformedPacketException("'except.users' must hold strings");
            }
            users.add(s.getString());
        }
        Set<DistributedFd> fds = new HashSet<>();
        for (JsonValue v : array(except, "fds")) {
            try {
                fds.add(DistributedFd.parse(v instanceof JsonString s ? s.getString() : null));
            } catch (IllegalArgumentException ex) {
                throw new MalformedPacketException("'except.fds' must hold distributed fds: " + ex.getMessage());
            }
        }
        return new Except(users, fds);
    }

    private static List<JsonValue> array(JsonObject o, String name) throws MalformedPacketException {
        if (o.get(name) instanceof JsonArray a) {
            return a;
        }
        throw new MalformedPacketException("field 'except." + name + "' must be an array");
    }

    /** A string value, or {@link #WRONG_TYPE} (a container skipped). */
    private Object string(Event value) {
        return value == Event.VALUE_STRING ? parser.getString() : skipped(value);
    }

    /** A whole number's exact value ({@link BigDecimal}), or {@link #WRONG_TYPE}. */
    private Object wholeNumber(Event value) {
        return value == Event.VALUE_NUMBER && parser.isIntegralNumber() ? parser.getBigDecimal() : skipped(value);
    }

    /** A field that must be a positive whole number. */
    private long positiveLong(Event value, String name) throws MalformedPacketException {
        long n = value == Event.VALUE_NUMBER && parser.isIntegralNumber() ? exactLong() : -1;
        if (n <= 0) {
            throw new MalformedPacketException("field '" + name + "' must be a positive whole number");
        }
        return n;
    }

    /** The current integral number's exact value, or -1 if it does not fit a long (never truncated into a valid fd). */
    private long exactLong() {
        try {
            return parser.getBigDecimal().longValueExact();
        } catch (ArithmeticException tooLarge) {
            return -1;
        }
    }

    private static int intField(Object raw, String name) throws MalformedPacketException {
        if (raw instanceof BigDecimal n) {
            try {
                return n.intValueExact();
            } catch (ArithmeticException tooLarge) {
                // falls through to the error below
            }
        }
        throw new MalformedPacketException("field '" + name + "' must be a whole number");
    }

    private static String stringField(Object raw, String name) throws MalformedPacketException {
        if (raw instanceof String s) {
            return s;
        }
        throw new MalformedPacketException("field '" + name + "' must be a string");
    }

    /** Skips a value of the wrong type, container or not, and marks it so. */
    private Object skipped(Event value) {
        skip(value);
        return WRONG_TYPE;
    }

    private void skip(Event value) {
        if (value == Event.START_OBJECT) {
            parser.skipObject();
        } else if (value == Event.START_ARRAY) {
            parser.skipArray();
        }
    }
}
