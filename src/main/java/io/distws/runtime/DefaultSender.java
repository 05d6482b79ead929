package io.distws.runtime;

import io.distws.api.Audience;
import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Sender;
import io.distws.core.ClusterNode;
import io.distws.core.Except;
import io.distws.core.NodeAudience;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** The {@link Sender} bean: delegates to this node's {@link io.distws.core.ClusterNode}. */
@ApplicationScoped
public class DefaultSender implements Sender {

    @Inject
    DistwsRuntime runtime;

    @Override
    public CompletionStage<Integer> send(String uid, Message message) {
        return runtime.node().sendToUser(Objects.requireNonNull(uid, "uid"), Objects.requireNonNull(message, "message"));
    }

    @Override
    public CompletionStage<Integer> sendMulti(Collection<String> uids, Message message) {
        return runtime.node().sendToUsers(Objects.requireNonNull(uids, "uids"), Objects.requireNonNull(message, "message"));
    }

    @Override
    public CompletionStage<Integer> sendAll(Message message) {
        return runtime.node().sendToAll(Objects.requireNonNull(message, "message"));
    }

    @Override
    public CompletionStage<Integer> sendTo(DistributedFd fd, Message message) {
        return runtime.node().sendToFd(Objects.requireNonNull(fd, "fd"), Objects.requireNonNull(message, "message"));
    }

    @Override
    public Audience toRoom(String room) {
        ClusterNode node = runtime.node();
        return new NodeAudience(node, node.requireRoomName(room), Except.NONE);
    }

    @Override
    public Audience toAll() {
        return new NodeAudience(runtime.node(), null, Except.NONE);
    }

    @Override
    public Message message(String text) {
        return Message.of(text, runtime.node().config().defaultOpcode());
    }
}
