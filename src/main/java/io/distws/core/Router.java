package io.distws.core;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.MessageTooLargeException;
import io.distws.api.OverloadedException;
import io.distws.api.StreamPosition;
import io.distws.spi.HistoryStore;
import io.distws.spi.NodeInfo;
import io.distws.spi.NodeRegistry;
import io.distws.spi.RelationStore;
import io.distws.spi.RoomStore;
import io.distws.spi.Transport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Routes messages and commands from this node: local connections are served at once, and every remote node gets one
 * envelope per message through its own ordered {@link Outbox}; a room message goes only to the nodes that hold members
 * of the room. Sends are routed in call order even when their look-ups complete out of order ({@link Sequencer}).
 * Thread-safe.
 */
final class Router {

    private final String nodeId;
    private final RelationStore relations;
    private final RoomStore rooms;
    private final LocalDelivery local;
    /** Records messages to users and rooms in their streams; null when history is off. */
    private final HistoryWriter history;
    private final NodeRegistry registry;
    private final Transport transport;
    private final PacketCodec codec;
    private final NodeStats stats;
    private final ConcurrentHashMap<String, Outbox> outboxes = new ConcurrentHashMap<>();
    private final Sequencer sequencer;
    /**
     * Held while a send takes its place in the streams and in the call order together, so that this node routes the
     * messages of a stream in the order of their offsets (receivers deliver in offset order: no waiting, no refill).
     */
    private final Object appendOrder = new Object();
    /** Numbers the outboxes of this incarnation, so a receiver tells a new outbox's packets from a retry's. */
    private final AtomicLong outboxStreams = new AtomicLong();

    /**
     * @param history records messages in streams before they are routed; null when history is off
     * @param sequencer this node's routing order (shared with {@link RoutingProgress}, which tells how far it is)
     */
    Router(String nodeId, RelationStore relations, RoomStore rooms,
           LocalDelivery local, HistoryWriter history, NodeRegistry registry, Transport transport, PacketCodec codec,
           NodeStats stats, Sequencer sequencer) {
        this.nodeId = nodeId;
        this.sequencer = sequencer;
        this.relations = relations;
        this.rooms = rooms;
        this.local = local;
        this.history = history;
        this.registry = registry;
        this.transport = transport;
        this.codec = codec;
        this.stats = stats;
    }

    /** Routes to every connection of a user, recording it in the user's stream first when history is on. */
    CompletionStage<Integer> sendToUser(String uid, Message message) {
        if (history == null) {
            return inOrder(relations.fdsOf(uid), fds -> route(fds, message, null));
        }
        return recordThenRoute(Mark.userStream(uid), message, HistoryStore.Excluded.NONE, relations.fdsOf(uid),
                (fds, mark) -> route(fds, message, mark));
    }

    /**
     * Routes to every connection of each user: one envelope per node, or with history on one per node and user (each
     * user's message has its own place in the user's stream).
     */
    CompletionStage<Integer> sendToUsers(Collection<String> uids, Message message) {
        CompletionStage<Map<String, List<DistributedFd>>> lookup = uids.isEmpty()
                ? CompletableFuture.completedFuture(Map.of()) : relations.fdsOf(uids);
        if (history == null) {
            return inOrder(lookup, byUser -> {
                List<DistributedFd> all = new ArrayList<>();
                byUser.values().forEach(all::addAll);
                return route(all, message, null);
            });
        }
        for (String uid : uids) {
            MessageTooLargeException tooLarge = tooLargeForStream(Mark.userStream(uid), message);
            if (tooLarge != null) {
                return CompletableFuture.failedFuture(tooLarge);
            }
        }
        CompletionStage<?> refused = refusedBeforeRecording(lookup);
        if (refused != null) {
            return inOrder(refused, value -> CompletableFuture.completedFuture(0)); // fails it, unrecorded
        }
        Map<String, CompletableFuture<Mark>> marks = new LinkedHashMap<>();
        Sequencer.Slot slot;
        synchronized (appendOrder) {
            slot = sequencer.reserve();
            HistoryStore.Routed routed = new HistoryStore.Routed(nodeId, slot.number);
            for (String uid : new LinkedHashSet<>(uids)) {
                marks.put(uid, history.append(Mark.userStream(uid), message, HistoryStore.Excluded.NONE, routed));
            }
        }
        CompletableFuture<Void> recorded = CompletableFuture.allOf(marks.values().toArray(CompletableFuture[]::new));
        return inOrder(slot, both(lookup, recorded, (byUser, v) -> byUser), byUser -> {
            // Each user's message has its own mark; those for one node go out together, in one packet.
            int here = 0;
            Map<String, List<Envelope>> remote = new LinkedHashMap<>();
            for (Map.Entry<String, CompletableFuture<Mark>> user : marks.entrySet()) {
                Mark mark = user.getValue().join();
                for (Map.Entry<String, long[]> target : byNode(byUser.getOrDefault(user.getKey(), List.of()))
                        .entrySet()) {
                    long[] array = target.getValue();
                    if (target.getKey().equals(nodeId)) {
                        here += local.toFds(nodeId, array, message, mark);
                    } else {
                        remote.computeIfAbsent(target.getKey(), n -> new ArrayList<>())
                                .add(new Envelope.Delivery(array, null, Except.NONE, message, mark));
                    }
                }
            }
            List<CompletableFuture<Integer>> routed = new ArrayList<>();
            remote.forEach((node, envelopes) -> {
                List<CompletableFuture<Boolean>> taken = outbox(node).submitAll(envelopes);
                for (int i = 0; i < envelopes.size(); i++) {
                    int targets = ((Envelope.Delivery) envelopes.get(i)).fds().length;
                    routed.add(taken.get(i).thenApply(accepted -> accepted ? targets : 0));
                }
            });
            return sum(here, routed);
        });
    }

    /** Routes to one connection (no stream: a reply, an ack). */
    CompletionStage<Integer> sendToFd(DistributedFd fd, Message message) {
        return inOrder(CompletableFuture.completedFuture(List.of(fd)), fds -> route(fds, message, null));
    }

    /** Routes to every connection of every live node, except some. */
    CompletionStage<Integer> sendToAll(Except except, Message message) {
        return inOrder(registry.liveNodes(), nodes -> {
            int here = local.toAll(nodeId, except, message);
            List<CompletableFuture<Integer>> remote = new ArrayList<>();
            for (NodeInfo node : nodes) {
                if (!node.nodeId().equals(nodeId)) {
                    remote.add(outbox(node.nodeId()).submit(new Envelope.Delivery(null, null, except, message))
                            .thenApply(accepted -> accepted ? node.connections() : 0));
                }
            }
            return sum(here, remote);
        });
    }

    /**
     * Routes to the members of a room, except some: this node's members at once, and one envelope to each other node
     * that holds members of the room (as recorded in Redis); nodes without members get nothing. With {@code record}
     * (and history on) the message is first appended to the room's stream.
     */
    CompletionStage<Integer> sendToRoom(String room, Except except, Message message, boolean record) {
        CompletionStage<Map<String, Integer>> nodes = rooms.nodesOf(room);
        if (history == null || !record) {
            return inOrder(nodes, n -> routeToRoom(n, room, except, message, null));
        }
        return recordThenRoute(Mark.roomStream(room), message, except.asExcluded(), nodes,
                (n, mark) -> routeToRoom(n, room, except, message, mark));
    }

    /**
     * Records a message in a stream and routes it with its mark once both the record and the look-up are done. The
     * record and the place in the routing order are taken together, so that this node routes the messages of a stream
     * in the order of their offsets; the stream keeps that place, so that a node missing the message can tell whether
     * it is lost or still on its way. A message too large for any packet is refused before it reaches the stream.
     */
    private <T> CompletionStage<Integer> recordThenRoute(String stream, Message message,
                                                        HistoryStore.Excluded excluded, CompletionStage<T> lookup,
                                                        BiFunction<T, Mark, CompletionStage<Integer>> route) {
        MessageTooLargeException tooLarge = tooLargeForStream(stream, message);
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(tooLarge);
        }
        CompletionStage<?> refused = refusedBeforeRecording(lookup);
        if (refused != null) {
            return inOrder(refused, value -> CompletableFuture.completedFuture(0)); // fails it, unrecorded
        }
        Sequencer.Slot slot;
        CompletableFuture<Mark> mark;
        synchronized (appendOrder) {
            slot = sequencer.reserve();
            mark = history.append(stream, message, excluded, new HistoryStore.Routed(nodeId, slot.number));
        }
        return inOrder(slot, both(lookup, mark, Marked::new), m -> route.apply(m.value, m.mark));
    }

    private CompletionStage<Integer> routeToRoom(Map<String, Integer> nodes, String room, Except except,
                                                 Message message, Mark mark) {
        int here = local.toRoom(nodeId, room, except, message, mark);
        List<CompletableFuture<Integer>> remote = new ArrayList<>();
        nodes.forEach((node, members) -> {
            if (!node.equals(nodeId)) {
                remote.add(outbox(node).submit(new Envelope.Delivery(null, room, except, message, mark))
                        .thenApply(accepted -> accepted ? members : 0));
            }
        });
        return sum(here, remote);
    }

    /**
     * The refusal of a message too large for any packet, or null: a stream must not keep a message that could never
     * be sent to another node (its replay would fail the same way).
     */
    private MessageTooLargeException tooLargeForStream(String stream, Message message) {
        Mark widest = new Mark(stream, new StreamPosition(Long.MAX_VALUE, "epoch-of-a-stream"));
        return Outbox.tooLarge(codec, nodeId, new Envelope.Delivery(new long[] {Long.MAX_VALUE}, null, Except.NONE,
                message, widest));
    }

    /**
     * The refusal of a message before it is recorded in a stream, as a failed stage, or null to go on: its look-up
     * failed at once, or an outbox to another node is full (Redis is behind; the message may be for another node, but
     * routing comes after the append, too late to refuse it). A refused message must be nowhere: in the stream, a gap
     * repair or a recovery would bring what its sender was told was not sent.
     */
    private CompletionStage<?> refusedBeforeRecording(CompletionStage<?> lookup) {
        if (lookup.toCompletableFuture().isCompletedExceptionally()) {
            return lookup;
        }
        for (Outbox outbox : outboxes.values()) {
            OverloadedException full = outbox.full();
            if (full != null) {
                return CompletableFuture.failedFuture(full);
            }
        }
        return null;
    }

    /** A look-up's result with the mark its message got in a stream. */
    private record Marked<T>(T value, Mark mark) {
    }

    /**
     * Carries out a command on connections anywhere, in call order with the sends: this node's through {@code onThisNode}
     * (true: done), others' as one command envelope per node (counted once its transport took it).
     *
     * @return completes with how many connections it was done to or routed to
     */
    CompletionStage<Integer> command(CompletionStage<? extends Collection<DistributedFd>> targets,
                                     Function<long[], Envelope.Command> command,
                                     Function<Long, CompletionStage<Boolean>> onThisNode) {
        return inOrder(targets, fds -> {
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            byNode(fds).forEach((node, array) -> {
                if (node.equals(nodeId)) {
                    for (long fd : array) {
                        done.add(onThisNode.apply(fd).toCompletableFuture().thenApply(ok -> ok ? 1 : 0));
                    }
                } else {
                    done.add(outbox(node).submit(command.apply(array)).thenApply(accepted -> accepted ? array.length : 0));
                }
            });
            return sum(0, done);
        });
    }

    /** Drops the outbox of a node that is gone. */
    void forget(String deadNodeId) {
        outboxes.remove(deadNodeId);
    }

    /**
     * Runs {@code route} with the look-up's result, in the order the sends were called (see {@link Sequencer}), and
     * completes with its count.
     */
    private <T> CompletionStage<Integer> inOrder(CompletionStage<T> lookup,
                                                 Function<T, CompletionStage<Integer>> route) {
        return inOrder(sequencer.reserve(), lookup, route);
    }

    /** {@link #inOrder(CompletionStage, Function)} in a slot reserved already. */
    private <T> CompletionStage<Integer> inOrder(Sequencer.Slot slot, CompletionStage<T> lookup,
                                                 Function<T, CompletionStage<Integer>> route) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        lookup.whenComplete((value, failure) -> {
            if (failure != null) {
                // Nothing to route: the sender hears at once (a refusal must not wait behind sends stuck on Redis),
                // and the slot passes in its turn.
                fail(result, failure);
                sequencer.complete(slot, () -> { });
                return;
            }
            sequencer.complete(slot, () -> route.apply(value).whenComplete((count, routeFailure) -> {
                if (routeFailure != null) {
                    fail(result, routeFailure);
                } else {
                    result.complete(count);
                }
            }));
        });
        return result;
    }

    /** Fails a send, counting it when it was refused as overloaded. */
    private void fail(CompletableFuture<Integer> result, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof OverloadedException) {
            stats.sendsRefused.increment();
        }
        result.completeExceptionally(failure);
    }

    /** Both results combined, or the first failure as soon as either fails ({@code thenCombine} waits for both). */
    private static <A, B, R> CompletionStage<R> both(CompletionStage<A> a, CompletionStage<B> b,
                                                     BiFunction<A, B, R> combine) {
        CompletableFuture<R> combined = a.thenCombine(b, combine).toCompletableFuture();
        BiConsumer<Object, Throwable> failFast = (value, failure) -> {
            if (failure != null) {
                combined.completeExceptionally(failure);
            }
        };
        a.whenComplete(failFast);
        b.whenComplete(failFast);
        return combined;
    }

    /** Delivers local targets at once and sends one envelope per remote node; counts the connections reached. */
    private CompletionStage<Integer> route(Collection<DistributedFd> fds, Message message, Mark mark) {
        int here = 0;
        List<CompletableFuture<Integer>> remote = new ArrayList<>();
        for (Map.Entry<String, long[]> target : byNode(fds).entrySet()) {
            long[] array = target.getValue();
            if (target.getKey().equals(nodeId)) {
                here += local.toFds(nodeId, array, message, mark);
            } else {
                remote.add(outbox(target.getKey()).submit(new Envelope.Delivery(array, null, Except.NONE, message, mark))
                        .thenApply(accepted -> accepted ? array.length : 0));
            }
        }
        return sum(here, remote);
    }

    /** The distinct fds grouped by node, in order; a user with one connection, the common case, costs one array. */
    private static Map<String, long[]> byNode(Collection<DistributedFd> fds) {
        if (fds.size() == 1) {
            DistributedFd fd = fds.iterator().next();
            return Map.of(fd.nodeId(), new long[] {fd.fd()});
        }
        Map<String, List<Long>> grouped = new LinkedHashMap<>();
        for (DistributedFd fd : new LinkedHashSet<>(fds)) {
            grouped.computeIfAbsent(fd.nodeId(), n -> new ArrayList<>()).add(fd.fd());
        }
        Map<String, long[]> byNode = new LinkedHashMap<>();
        grouped.forEach((node, nodeFds) -> byNode.put(node, nodeFds.stream().mapToLong(Long::longValue).toArray()));
        return byNode;
    }

    private Outbox outbox(String destination) {
        return outboxes.computeIfAbsent(destination, d -> new Outbox(nodeId, d, outboxStreams.incrementAndGet(),
                transport, codec, stats, retired -> outboxes.remove(d, retired), sequencer::completed));
    }

    /** Outboxes to other nodes: the live ones sent to, and any whose first send is in flight. */
    int outboxes() {
        return outboxes.size();
    }

    /** Envelopes waiting in each outbox, by destination; a snapshot. */
    java.util.Map<String, Integer> outboxPending() {
        java.util.Map<String, Integer> pending = new java.util.TreeMap<>();
        outboxes.forEach((destination, outbox) -> pending.put(destination, outbox.pendingEnvelopes()));
        return pending;
    }

    private static CompletionStage<Integer> sum(int local, List<CompletableFuture<Integer>> remote) {
        if (remote.isEmpty()) {
            return CompletableFuture.completedFuture(local);
        }
        return CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new))
                .thenApply(v -> local + remote.stream().mapToInt(CompletableFuture::join).sum());
    }
}
