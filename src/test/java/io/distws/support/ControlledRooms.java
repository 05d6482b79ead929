package io.distws.support;

import io.distws.api.RoomMembers;
import io.distws.spi.Membership;
import io.distws.spi.MembershipChange;
import io.distws.spi.RoomStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A real room store (Redis) whose next join or leave a test can make fail, as it does while Redis is away, and whose
 * room look-ups it can slow down, as a busy Redis does.
 */
public final class ControlledRooms implements RoomStore {

    private final RoomStore delegate;
    private final AtomicBoolean failNextJoin = new AtomicBoolean();
    private final AtomicBoolean failNextLeave = new AtomicBoolean();
    private volatile Duration lookupDelay = Duration.ZERO;

    public ControlledRooms(RoomStore delegate) {
        this.delegate = delegate;
    }

    public void failNextJoin() {
        failNextJoin.set(true);
    }

    public void failNextLeave() {
        failNextLeave.set(true);
    }

    /** Every later {@link #nodesOf} asks Redis only after this delay. */
    public void delayRoomLookups(Duration delay) {
        lookupDelay = delay;
    }

    @Override
    public CompletionStage<MembershipChange> join(Membership membership) {
        return failNextJoin.getAndSet(false)
                ? CompletableFuture.failedFuture(new IllegalStateException("Redis does not answer"))
                : delegate.join(membership);
    }

    @Override
    public CompletionStage<MembershipChange> leave(Membership membership) {
        return failNextLeave.getAndSet(false)
                ? CompletableFuture.failedFuture(new IllegalStateException("Redis does not answer"))
                : delegate.leave(membership);
    }

    @Override
    public CompletionStage<Void> joinAll(String nodeId, Collection<Membership> memberships) {
        return delegate.joinAll(nodeId, memberships);
    }

    @Override
    public CompletionStage<Void> refresh(String nodeId, Collection<Membership> memberships,
                                         Predicate<String> holdsRoom) {
        return delegate.refresh(nodeId, memberships, holdsRoom);
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodesOf(String room) {
        Duration delay = lookupDelay;
        if (delay.isZero()) {
            return delegate.nodesOf(room);
        }
        Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.runAsync(() -> { }, later).thenCompose(v -> delegate.nodesOf(room));
    }

    @Override
    public CompletionStage<RoomMembers> members(String room, int maxUsers) {
        return delegate.members(room, maxUsers);
    }

    @Override
    public CompletionStage<Set<String>> roomsOf(String uid) {
        return delegate.roomsOf(uid);
    }

    @Override
    public CompletionStage<Map<String, List<String>>> purgeNode(String nodeId) {
        return delegate.purgeNode(nodeId);
    }
}
