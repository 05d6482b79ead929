package io.distws.runtime;

import io.distws.api.History;
import io.distws.api.HistoryEntry;
import io.distws.api.Message;
import io.distws.api.Recovery;
import io.distws.api.StreamPosition;
import io.distws.core.ClusterNode;
import io.distws.core.Mark;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** The {@link History} bean: delegates to this node's {@link ClusterNode}. */
@ApplicationScoped
public class DefaultHistory implements History {

    @Inject
    DistwsRuntime runtime;

    @Override
    public boolean enabled() {
        return runtime.node().config().historyEnabled();
    }

    @Override
    public CompletionStage<StreamPosition> userPosition(String uid) {
        return runtime.node().recent(Mark.userStream(Objects.requireNonNull(uid, "uid")), 0)
                .thenApply(read -> read.position());
    }

    @Override
    public CompletionStage<StreamPosition> roomPosition(String room) {
        ClusterNode node = runtime.node();
        return node.recent(Mark.roomStream(node.requireRoomName(room)), 0).thenApply(read -> read.position());
    }

    @Override
    public CompletionStage<List<HistoryEntry>> userHistory(String uid, int limit) {
        return runtime.node().recent(Mark.userStream(Objects.requireNonNull(uid, "uid")), limit)
                .thenApply(read -> read.entries());
    }

    @Override
    public CompletionStage<List<HistoryEntry>> roomHistory(String room, int limit) {
        ClusterNode node = runtime.node();
        return node.recent(Mark.roomStream(node.requireRoomName(room)), limit).thenApply(read -> read.entries());
    }

    @Override
    public CompletionStage<Recovery> followUser(long fd, StreamPosition since, Function<Recovery, CompletionStage<Message>> first) {
        return runtime.node().followUser(fd, since, Objects.requireNonNull(first, "first"));
    }

    @Override
    public CompletionStage<Recovery> followRoom(long fd, String room, StreamPosition since,
                                                Function<Recovery, CompletionStage<Message>> first) {
        return runtime.node().followRoom(fd, room, since, Objects.requireNonNull(first, "first"));
    }
}
