package io.distws.runtime;

import io.distws.api.DistributedFd;
import io.distws.api.RoomMembers;
import io.distws.api.Rooms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** The {@link Rooms} bean: delegates to this node's {@link io.distws.core.ClusterNode}. */
@ApplicationScoped
public class DefaultRooms implements Rooms {

    @Inject
    DistwsRuntime runtime;

    @Override
    public CompletionStage<Boolean> join(DistributedFd fd, String room) {
        return runtime.node().join(Objects.requireNonNull(fd, "fd"), room);
    }

    @Override
    public CompletionStage<Boolean> leave(DistributedFd fd, String room) {
        return runtime.node().leave(Objects.requireNonNull(fd, "fd"), room);
    }

    @Override
    public CompletionStage<Integer> joinUser(String uid, String room) {
        return runtime.node().joinUser(Objects.requireNonNull(uid, "uid"), room);
    }

    @Override
    public CompletionStage<Integer> leaveUser(String uid, String room) {
        return runtime.node().leaveUser(Objects.requireNonNull(uid, "uid"), room);
    }

    @Override
    public CompletionStage<RoomMembers> members(String room) {
        return runtime.node().members(room);
    }

    @Override
    public CompletionStage<Set<String>> roomsOf(String uid) {
        return runtime.node().roomsOf(Objects.requireNonNull(uid, "uid"));
    }

    @Override
    public Set<String> connectionRooms(long fd) {
        return runtime.node().roomsOf(fd);
    }
}
