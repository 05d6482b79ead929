package io.distws.support;

import io.distws.api.DistributedFd;
import io.distws.spi.PurgedRelations;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real relation store (Redis) whose next calls a test can hold or fail, to put a node in the windows that are hard
 * to hit by timing: a close while a relation is written, a re-assertion that Redis refuses, a purge that fails.
 */
public final class ControlledRelations implements RelationStore {

    private final RelationStore delegate;
    private volatile CompletableFuture<Void> bindGate;
    private volatile CompletableFuture<Void> lookupGate;
    private volatile CompletableFuture<Void> lookupsGate;
    private final AtomicInteger bindAllFailures = new AtomicInteger();
    private volatile boolean failNextPurge;

    public ControlledRelations(RelationStore delegate) {
        this.delegate = delegate;
    }

    /** The next {@link #bind} waits until the returned gate completes. */
    public CompletableFuture<Void> holdNextBind() {
        bindGate = new CompletableFuture<>();
        return bindGate;
    }

    /** The next look-up of one user's connections waits until the returned gate completes. */
    public CompletableFuture<Void> holdNextLookup() {
        lookupGate = new CompletableFuture<>();
        return lookupGate;
    }

    /** Every look-up of users' connections, from now until the returned gate completes, waits for it. */
    public CompletableFuture<Void> holdLookups() {
        lookupsGate = new CompletableFuture<>();
        return lookupsGate;
    }

    /** The next {@code n} calls of {@link #bindAll} fail as Redis does while it loads its data after a restart. */
    public void failNextBindAll(int n) {
        bindAllFailures.set(n);
    }

    /** The next {@link #purgeNode} fails as if Redis had gone. */
    public void failNextPurge() {
        failNextPurge = true;
    }

    @Override
    public CompletionStage<Boolean> bind(Relation relation) {
        CompletableFuture<Void> gate = bindGate;
        bindGate = null;
        return gate == null ? delegate.bind(relation) : gate.thenCompose(v -> delegate.bind(relation));
    }

    @Override
    public CompletionStage<Void> bindAll(Collection<Relation> relations) {
        if (bindAllFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("LOADING Redis is loading the dataset in memory"));
        }
        return delegate.bindAll(relations);
    }

    @Override
    public CompletionStage<Void> refresh(Collection<Relation> relations) {
        return delegate.refresh(relations);
    }

    @Override
    public CompletionStage<Boolean> unbind(DistributedFd fd, String uid) {
        return delegate.unbind(fd, uid);
    }

    @Override
    public CompletionStage<List<DistributedFd>> fdsOf(String uid) {
        CompletableFuture<Void> gate = lookupGate;
        lookupGate = null;
        if (gate == null) {
            gate = lookupsGate;
        }
        return gate == null ? delegate.fdsOf(uid) : gate.thenCompose(v -> delegate.fdsOf(uid));
    }

    @Override
    public CompletionStage<Map<String, List<DistributedFd>>> fdsOf(Collection<String> uids) {
        CompletableFuture<Void> gate = lookupsGate;
        return gate == null ? delegate.fdsOf(uids) : gate.thenCompose(v -> delegate.fdsOf(uids));
    }

    @Override
    public CompletionStage<Optional<String>> userOf(DistributedFd fd) {
        return delegate.userOf(fd);
    }

    @Override
    public CompletionStage<PurgedRelations> purgeNode(String nodeId) {
        if (failNextPurge) {
            failNextPurge = false;
            return CompletableFuture.failedFuture(new IllegalStateException("Connection refused: 127.0.0.1:6379"));
        }
        return delegate.purgeNode(nodeId);
    }
}
