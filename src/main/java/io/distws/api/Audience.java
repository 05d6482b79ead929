package io.distws.api;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A target of many connections, narrowed down before sending: {@code sender.toRoom("lobby").except("bob").send(msg)}.
 * Immutable: every {@code except} returns a new audience. Thread-safe.
 */
public interface Audience {

    /** The same audience without the connections of these users. */
    Audience except(Collection<String> uids);

    /** The same audience without the connections of these users. */
    default Audience except(String... uids) {
        return except(List.of(uids));
    }

    /** The same audience without this one connection (typically the sender's own). */
    Audience exceptConnection(DistributedFd fd);

    /**
     * Sends to every connection of the audience, on every node that has some (nodes without any receive nothing).
     *
     * @return completes with the number of connections the message was routed to (connections of other nodes as
     *     counted in Redis, so excepted ones there are included); exceptionally when Redis cannot take it
     */
    CompletionStage<Integer> send(Message message);

    /** Sends text as the configured default opcode. See {@link #send(Message)}. */
    CompletionStage<Integer> send(String text);

    /** Sends bytes as a binary frame. See {@link #send(Message)}. */
    default CompletionStage<Integer> send(byte[] bytes) {
        return send(Message.binary(bytes));
    }
}
