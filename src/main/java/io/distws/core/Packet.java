package io.distws.core;

import java.util.List;

/** What travels between two nodes in one transport send: envelopes from one origin node, in send order. */
public record Packet(int version, String origin, List<Envelope> envelopes) {
}
