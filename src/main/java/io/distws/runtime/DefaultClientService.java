package io.distws.runtime;

import io.distws.api.ClientService;
import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.UserConnection;
import io.distws.core.ClusterNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The {@link ClientService} bean: relations and attached sessions through this node's {@link ClusterNode}. */
@ApplicationScoped
public class DefaultClientService implements ClientService {

    @Inject
    DistwsRuntime runtime;

    @Override
    public long attach(Session session) {
        return SessionAttachments.attach(runtime.node(), runtime.scheduler(), session);
    }

    @Override
    public CompletionStage<Void> detach(Session session) {
        return SessionAttachments.detach(runtime.node(), session);
    }

    @Override
    public CompletionStage<Boolean> disconnect(DistributedFd fd, int closeCode, String reason) {
        return runtime.node().disconnect(Objects.requireNonNull(fd, "fd"), CloseReasons.requireSendable(closeCode),
                CloseReasons.fitting(reason));
    }

    @Override
    public CompletionStage<Integer> disconnectUser(String uid, int closeCode, String reason) {
        return runtime.node().disconnectUser(Objects.requireNonNull(uid, "uid"),
                CloseReasons.requireSendable(closeCode), CloseReasons.fitting(reason));
    }

    @Override
    public CompletionStage<DistributedFd> bindRelation(long fd, String uid) {
        return runtime.node().bind(fd, uid);
    }

    @Override
    public CompletionStage<Void> removeRelation(DistributedFd fd) {
        return runtime.node().unbind(fd);
    }

    @Override
    public CompletionStage<Optional<UserConnection>> findUserFd(String uid) {
        ClusterNode node = runtime.node();
        return node.relations().fdsOf(uid).thenApply(fds -> fds.isEmpty()
                ? Optional.empty()
                : Optional.of(new Handle(node, uid, fds.get(fds.size() - 1))));
    }

    @Override
    public CompletionStage<List<DistributedFd>> userFds(String uid) {
        return runtime.node().relations().fdsOf(uid);
    }

    @Override
    public CompletionStage<Optional<String>> userOf(DistributedFd fd) {
        return runtime.node().relations().userOf(fd);
    }

    @Override
    public CompletionStage<Boolean> isOnline(String uid) {
        return userFds(uid).thenApply(fds -> !fds.isEmpty());
    }

    @Override
    public DistributedFd genDistributeFd(long fd) {
        return new DistributedFd(runtime.node().nodeId(), fd);
    }

    /** A user's connection as returned by {@link #findUserFd}. */
    private record Handle(ClusterNode node, String uid, DistributedFd fd) implements UserConnection {
        @Override
        public CompletionStage<Integer> send(Message message) {
            return node.sendToFd(fd, message);
        }

        @Override
        public CompletionStage<Integer> send(String text) {
            return send(Message.of(text, node.config().defaultOpcode()));
        }
    }
}
