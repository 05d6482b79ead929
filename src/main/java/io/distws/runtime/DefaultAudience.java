package io.distws.runtime;

import io.distws.api.Audience;
import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.core.ClusterNode;
import io.distws.core.Except;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** A room's members or every connection, minus the excepted: what {@code toRoom}/{@code toAll} return. Immutable. */
record DefaultAudience(ClusterNode node, String room, Except except) implements Audience {

    @Override
    public Audience except(Collection<String> uids) {
        Set<String> users = new HashSet<>(except.users());
        uids.forEach(uid -> users.add(Objects.requireNonNull(uid, "uid")));
        return new DefaultAudience(node, room, new Except(users, except.fds()));
    }

    @Override
    public Audience exceptConnection(DistributedFd fd) {
        Set<DistributedFd> fds = new HashSet<>(except.fds());
        fds.add(Objects.requireNonNull(fd, "fd"));
        return new DefaultAudience(node, room, new Except(except.users(), fds));
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
