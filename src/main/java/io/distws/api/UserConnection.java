package io.distws.api;

import java.util.concurrent.CompletionStage;

/**
 * A handle to one connection of a user, wherever in the cluster it lives. Sending through it routes the message to
 * the node that holds the connection. Thread-safe; holds no resources.
 */
public interface UserConnection {

    /** The user this connection was bound to when the handle was made. */
    String uid();

    /** The connection's cluster-wide name. */
    DistributedFd fd();

    /**
     * Sends a message to this connection only, as {@code opcode}.
     *
     * @return completes with 1 once the message is handed to the local connection or to Redis, 0 if the connection is
     *     known to be gone; completes exceptionally if Redis cannot take it
     */
    CompletionStage<Integer> send(Message message);

    /** Sends text as the configured default opcode ({@code text} unless configured). See {@link #send(Message)}. */
    CompletionStage<Integer> send(String text);

    /** Sends text as the given opcode (binary: its UTF-8 bytes). See {@link #send(Message)}. */
    default CompletionStage<Integer> send(String text, Opcode opcode) {
        return send(Message.of(text, opcode));
    }

    /** Sends bytes as a binary frame. See {@link #send(Message)}. */
    default CompletionStage<Integer> send(byte[] bytes) {
        return send(Message.binary(bytes));
    }
}
