package io.distws.core;

import java.util.List;

/**
 * What travels between two nodes in one transport send: envelopes from one origin node, in send order.
 * A sequenced packet ({@code seq > 0}) is number {@code seq} of the origin's stream {@code stream} to the receiving
 * node; a packet without a sequence (older senders, tools) has {@code stream} and {@code seq} 0 and is not checked.
 * {@code routed} (0 if not told) says how far the origin's routing was when its last envelope was handed on: every send
 * the origin routed up to that number has reached this node, or was lost, by the time this packet arrives.
 */
public record Packet(int version, String origin, long stream, long seq, long routed, List<Envelope> envelopes) {

    /** Stream and sequence of a packet that carries none. */
    public static final long UNSEQUENCED = 0;

    public Packet(int version, String origin, long stream, long seq, List<Envelope> envelopes) {
        this(version, origin, stream, seq, UNSEQUENCED, envelopes);
    }

    public boolean sequenced() {
        return seq > 0;
    }
}
