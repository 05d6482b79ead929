package io.distws.api;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Sends messages to users and connections anywhere in the cluster; the node that holds a connection delivers to it.
 * Inject it with {@code @Inject Sender sender} in endpoints, JAX-RS resources or EJBs. Thread-safe.
 *
 * <p>Every method returns at once. Its stage completes with the number of connections the message was routed to
 * (0: nobody to deliver to, e.g. the user is offline) once the message is handed to the local connections and to
 * Redis; it completes exceptionally when Redis cannot take it: with {@link MessageTooLargeException} for a message no
 * packet can carry, {@link OverloadedException} when this node refused it because Redis is behind (try again later),
 * another exception when Redis failed. Messages from one thread to one connection arrive in the order they were
 * sent. A {@code String} goes as the configured default opcode, {@code byte[]} as binary.
 */
public interface Sender {

    /** Sends to every connection of {@code uid}, on every node. */
    CompletionStage<Integer> send(String uid, Message message);

    /**
     * Sends to every connection of each user in {@code uids}; one packet per target node, not per recipient (with
     * history on, one envelope per user in it: each user's message has its own place in the user's stream).
     */
    CompletionStage<Integer> sendMulti(Collection<String> uids, Message message);

    /**
     * Sends to every connection on every live node. The count is the local connections plus the remote ones as of the
     * nodes' last heartbeats.
     */
    CompletionStage<Integer> sendAll(Message message);

    /** Sends to one connection. Completes with 0 if it is known to be gone. */
    CompletionStage<Integer> sendTo(DistributedFd fd, Message message);

    /**
     * Everyone in a room, on whichever nodes its members are; narrow it with {@link Audience#except}. A room message
     * costs one envelope per node that has members, and nodes without members receive nothing.
     *
     * @throws IllegalArgumentException if the room name is invalid (see {@link Rooms})
     */
    Audience toRoom(String room);

    /** Every connection on every live node, like {@link #sendAll}; narrow it with {@link Audience#except}. */
    Audience toAll();

    /** Converts text with the configured default opcode ({@code distws.default-opcode}). */
    Message message(String text);

    default CompletionStage<Integer> send(String uid, String text) {
        return send(uid, message(text));
    }

    default CompletionStage<Integer> send(String uid, String text, Opcode opcode) {
        return send(uid, Message.of(text, opcode));
    }

    default CompletionStage<Integer> send(String uid, byte[] bytes) {
        return send(uid, Message.binary(bytes));
    }

    default CompletionStage<Integer> sendMulti(Collection<String> uids, String text) {
        return sendMulti(uids, message(text));
    }

    default CompletionStage<Integer> sendMulti(Collection<String> uids, String text, Opcode opcode) {
        return sendMulti(uids, Message.of(text, opcode));
    }

    default CompletionStage<Integer> sendMulti(Collection<String> uids, byte[] bytes) {
        return sendMulti(uids, Message.binary(bytes));
    }

    default CompletionStage<Integer> sendAll(String text) {
        return sendAll(message(text));
    }

    default CompletionStage<Integer> sendAll(String text, Opcode opcode) {
        return sendAll(Message.of(text, opcode));
    }

    default CompletionStage<Integer> sendAll(byte[] bytes) {
        return sendAll(Message.binary(bytes));
    }

    default CompletionStage<Integer> sendTo(DistributedFd fd, String text) {
        return sendTo(fd, message(text));
    }
}
