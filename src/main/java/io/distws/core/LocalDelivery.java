package io.distws.core;

import io.distws.api.Message;
import java.util.List;
import java.util.Optional;

/**
 * Queues messages for this node's own connections: listed fds, a room's members or everyone, minus the excepted;
 * a message of a stream goes through {@link StreamDelivery} (offset order, once). Used for what this node sends to
 * itself and for what arrives from others. Thread-safe.
 */
final class LocalDelivery {

    private final LocalConnections connections;
    private final LocalRooms rooms;
    private final StreamDelivery streams;

    LocalDelivery(LocalConnections connections, LocalRooms rooms, StreamDelivery streams) {
        this.connections = connections;
        this.rooms = rooms;
        this.streams = streams;
    }

    /** To the listed connections, from node {@code origin}; returns how many took it. */
    int toFds(String origin, long[] fds, Message message, Mark mark) {
        List<Message> frames = mark == null ? null : streams.render(mark, message);
        int delivered = 0;
        for (long fd : fds) {
            Optional<LocalConnection> c = connections.get(fd);
            if (c.isPresent() && take(c.get(), origin, message, frames, mark)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** To this node's members of a room but the excepted, from node {@code origin}; returns how many took it. */
    int toRoom(String origin, String room, Except except, Message message, Mark mark) {
        List<Message> frames = mark == null ? null : streams.render(mark, message);
        int delivered = 0;
        for (LocalConnection c : rooms.members(room)) {
            if (except.excludes(c)) {
                if (mark != null) {
                    streams.skip(c, origin, mark);
                }
            } else if (take(c, origin, message, frames, mark)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** To every connection of this node but the excepted, from node {@code origin}; returns how many took it. */
    int toAll(String origin, Except except, Message message) {
        int delivered = 0;
        for (LocalConnection c : connections.all()) {
            if (!except.excludes(c) && plain(c, origin, message)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** A message of a stream ({@code mark} set) as its rendered {@code frames}; else the message as it is. */
    private boolean take(LocalConnection c, String origin, Message message, List<Message> frames, Mark mark) {
        return mark == null ? plain(c, origin, message) : streams.deliver(c, origin, mark, frames);
    }

    /** A message of no stream: behind what a stream of the connection holds back from its node (StreamGate). */
    private boolean plain(LocalConnection c, String origin, Message frame) {
        return streams == null ? c.enqueue(frame) : streams.deliverPlain(c, origin, frame);
    }
}
