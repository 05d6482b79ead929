package io.distws.redis;

import io.distws.api.RoomMembers;
import io.distws.spi.Membership;
import io.distws.spi.MembershipChange;
import io.distws.spi.RoomStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Room memberships in Redis. A room's keys share its hash tag, so each join, leave and purge is one script in one
 * slot that decides atomically whether the user came or went: the nodes hash (where room messages go), the users hash
 * (presence) and one hash per node of its members (what its purge removes). Two more keys serve look-ups and purges
 * from the other side: the user's rooms ({@code user:rooms:<uid>}, counts that commute, so updates racing from
 * several nodes still add up) and the node's rooms ({@code node:{id}:rooms}, rewritten from the node's own
 * knowledge at every refresh).
 */
public final class RedisRoomStore implements RoomStore {

    private static final LuaScript JOIN = LuaScript.load("room-join");
    private static final LuaScript LEAVE = LuaScript.load("room-leave");
    private static final LuaScript PURGE_NODE = LuaScript.load("room-purge-node");
    private static final LuaScript MEMBERS = LuaScript.load("room-members");
    private static final LuaScript COUNT = LuaScript.load("count-in-hash");

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final Duration ttl;
    private final String ttlSeconds;

    public RedisRoomStore(RedissonClient redis, RedisKeys keys, Duration ttl) {
        this.redis = redis;
        this.keys = keys;
        this.ttl = ttl;
        this.ttlSeconds = Long.toString(ttl.toSeconds());
    }

    private List<Object> roomKeys(String room, String nodeId) {
        return List.of(keys.roomNodes(room), keys.roomUsers(room), keys.roomNodeFds(room, nodeId));
    }

    @Override
    public CompletionStage<MembershipChange> join(Membership m) {
        String nodeId = m.fd().nodeId();
        // The node's room set with the join, in one round trip: a purge that finds the room there and no member costs
        // nothing, a member the purge cannot find would stay until its TTL.
        RBatch batch = redis.createBatch();
        batch.getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE).addAsync(m.room());
        RFuture<List<Object>> joined = batch.getScript(StringCodec.INSTANCE).evalAsync(keys.roomNodes(m.room()),
                RScript.Mode.READ_WRITE, JOIN.text(), RScript.ReturnType.LIST, roomKeys(m.room(), nodeId), nodeId,
                Long.toString(m.fd().fd()), m.uid(), ttlSeconds);
        return batch.executeAsync().thenApply(done -> joined.toCompletableFuture().join())
                .thenApply(RedisRoomStore::change)
                .thenCompose(change -> change.changed()
                        ? countUserRoom(m.uid(), m.room(), 1).thenApply(count -> change)
                        : CompletableFuture.completedFuture(change));
    }

    @Override
    public CompletionStage<MembershipChange> leave(Membership m) {
        String nodeId = m.fd().nodeId();
        return LEAVE.evalList(redis, roomKeys(m.room(), nodeId), nodeId, Long.toString(m.fd().fd()))
                .thenApply(RedisRoomStore::change)
                .thenCompose(change -> change.changed()
                        ? countUserRoom(m.uid(), m.room(), -1).thenApply(count -> change)
                        : CompletableFuture.completedFuture(change));
    }

    private CompletionStage<Long> countUserRoom(String uid, String room, int delta) {
        return COUNT.evalLong(redis, List.of(keys.userRooms(uid)), room, Integer.toString(delta), ttlSeconds);
    }

    private static MembershipChange change(List<Object> result) {
        return new MembershipChange(((Long) result.get(0)) == 1, ((Long) result.get(1)).intValue());
    }

    @Override
    public CompletionStage<Void> joinAll(String nodeId, Collection<Membership> memberships) {
        if (memberships.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        RBatch batch = redis.createBatch();
        List<RFuture<List<Object>>> joins = new ArrayList<>();
        for (Membership m : memberships) {
            batch.getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE).addAsync(m.room());
            String slotKey = keys.roomNodes(m.room());
            joins.add(batch.getScript(StringCodec.INSTANCE).evalAsync(slotKey, RScript.Mode.READ_WRITE, JOIN.text(),
                    RScript.ReturnType.LIST, roomKeys(m.room(), nodeId), nodeId, Long.toString(m.fd().fd()),
                    m.uid(), ttlSeconds));
        }
        batch.getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE).expireAsync(ttl);
        return batch.executeAsync().thenCompose(done -> {
            // Only memberships that Redis had lost count again in their users' rooms.
            RBatch counts = redis.createBatch();
            int i = 0;
            boolean any = false;
            for (Membership m : memberships) {
                if (change(joins.get(i++).toCompletableFuture().join()).changed()) {
                    counts.getScript(StringCodec.INSTANCE).evalAsync(keys.userRooms(m.uid()), RScript.Mode.READ_WRITE,
                            COUNT.text(), RScript.ReturnType.LONG, List.of(keys.userRooms(m.uid())), m.room(), "1",
                            ttlSeconds);
                    any = true;
                }
            }
            return any ? counts.executeAsync().thenApply(r -> (Void) null) : CompletableFuture.completedFuture(null);
        });
    }

    @Override
    public CompletionStage<Void> refresh(String nodeId, Collection<Membership> memberships,
                                         Predicate<String> holdsRoom) {
        var nodeRooms = redis.<String>getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE);
        return nodeRooms.readAllAsync().thenCompose(recorded -> {
            RBatch batch = redis.createBatch();
            Set<String> rooms = new LinkedHashSet<>();
            Set<String> users = new LinkedHashSet<>();
            for (Membership m : memberships) {
                rooms.add(m.room());
                users.add(m.uid());
            }
            // Asked only now, after the read: a join under way has added its room to the node's own view before
            // adding it to Redis, so it is never taken out here.
            List<String> stale = recorded.stream().filter(room -> !holdsRoom.test(room)).toList();
            var set = batch.getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE);
            if (!stale.isEmpty()) {
                set.removeAllAsync(stale);
            }
            if (!rooms.isEmpty()) {
                set.addAllAsync(rooms);
                set.expireAsync(ttl);
            }
            for (String room : rooms) {
                batch.getMap(keys.roomNodes(room), StringCodec.INSTANCE).expireAsync(ttl);
                batch.getMap(keys.roomUsers(room), StringCodec.INSTANCE).expireAsync(ttl);
                batch.getMap(keys.roomNodeFds(room, nodeId), StringCodec.INSTANCE).expireAsync(ttl);
            }
            for (String uid : users) {
                batch.getMap(keys.userRooms(uid), StringCodec.INSTANCE).expireAsync(ttl);
            }
            return batch.executeAsync().thenApply(r -> (Void) null);
        });
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodesOf(String room) {
        return redis.<String, String>getMap(keys.roomNodes(room), StringCodec.INSTANCE).readAllMapAsync()
                .thenApply(raw -> {
                    Map<String, Integer> nodes = new HashMap<>(raw.size() * 2);
                    raw.forEach((node, count) -> {
                        int n = parseCount(count);
                        if (n > 0) {
                            nodes.put(node, n);
                        }
                    });
                    return nodes;
                });
    }

    @Override
    public CompletionStage<RoomMembers> members(String room, int maxUsers) {
        return MEMBERS.evalList(redis, List.of(keys.roomNodes(room), keys.roomUsers(room)), Integer.toString(maxUsers))
                .thenApply(result -> {
                    int connections = ((Long) result.get(0)).intValue();
                    long users = (Long) result.get(1);
                    Map<String, Integer> listed = new LinkedHashMap<>();
                    for (int i = 2; i + 1 < result.size(); i += 2) {
                        int n = parseCount(String.valueOf(result.get(i + 1)));
                        if (n > 0) {
                            listed.put(String.valueOf(result.get(i)), n);
                        }
                    }
                    return new RoomMembers(room, listed, connections, listed.size() >= users);
                });
    }

    @Override
    public CompletionStage<Set<String>> roomsOf(String uid) {
        return redis.<String, String>getMap(keys.userRooms(uid), StringCodec.INSTANCE).readAllMapAsync()
                .thenApply(raw -> {
                    Set<String> rooms = new LinkedHashSet<>();
                    raw.forEach((room, count) -> {
                        if (parseCount(count) > 0) {
                            rooms.add(room);
                        }
                    });
                    return rooms;
                });
    }

    @Override
    public CompletionStage<Map<String, List<String>>> purgeNode(String nodeId) {
        var nodeRooms = redis.<String>getSet(keys.nodeRooms(nodeId), StringCodec.INSTANCE);
        return nodeRooms.readAllAsync().thenCompose(rooms -> {
            Map<String, List<String>> left = new LinkedHashMap<>();
            CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
            for (String room : rooms) {
                all = all.thenCompose(v -> PURGE_NODE.evalList(redis, roomKeys(room, nodeId), nodeId)
                        .thenCompose(result -> {
                            int leaving = ((Long) result.get(0)).intValue();
                            List<String> gone = new ArrayList<>(leaving);
                            for (int i = 1; i <= leaving; i++) {
                                gone.add(String.valueOf(result.get(i)));
                            }
                            if (!gone.isEmpty()) {
                                left.put(room, gone);
                            }
                            RBatch counts = redis.createBatch();
                            for (int i = leaving + 1; i < result.size(); i++) {
                                String uid = String.valueOf(result.get(i));
                                counts.getScript(StringCodec.INSTANCE).evalAsync(keys.userRooms(uid),
                                        RScript.Mode.READ_WRITE, COUNT.text(), RScript.ReturnType.LONG,
                                        List.of(keys.userRooms(uid)), room, "-1", ttlSeconds);
                            }
                            return result.size() > leaving + 1
                                    ? counts.executeAsync().thenApply(r -> (Void) null)
                                    : CompletableFuture.<Void>completedFuture(null);
                        }).toCompletableFuture());
            }
            return all.thenCompose(v -> nodeRooms.deleteAsync()).thenApply(v -> left);
        });
    }

    private static int parseCount(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
