package io.distws.core;

import io.distws.api.Audience;
import io.distws.api.DistributedFd;
import io.distws.api.Message;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A room's members or every connection, minus the excepted, reached through a node: what {@code toRoom}/{@code toAll}
 * return (the {@code Sender} bean's and the emitter's). Immutable.
 *
 * @param room the room (its name checked already), or null for every connection
 */
public record NodeAudience(ClusterNode node, String room, Except except) implements Audience {

    @Override
    public Audience except(Collection<String> uids) {
        Set<String> users = new HashSet<>(except.users());
        uids.forEach(uid -> users.add(Objects.requireNonNull(uid, "uid")));
        return new NodeAudience(node, room, new Except(users, except.fds()));
    }

    @Override
    public Audience exceptConnection(DistributedFd fd) {
        Set<DistributedFd> fds = new HashSet<>(except.fds());
        fds.add(Objects.requireNonNull(fd, "fd"));
        return new NodeAudience(node, room, new Except(except.users(), fds));
    }

    @Override
    public CompletionStage<Integer> send(Message message) {
        Objects.requireNonNull(message, "message");
        return room == null ? node.sendToAll(except, message) : node.sendToRoom(room, except, message);
    }

    @Override
    public CompletionStage<Integer> send(String text) {
        return send(Message.of(text, node.config().defaultOpcode()));
    }
}
