package io.distws.redis;

import io.distws.api.DistributedFd;
import io.distws.spi.PurgedRelations;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Relations in Redis: user -> sorted set of distributed fds (scored by bind time), fd -> user, and node -> hash of its
 * fds. Each call is one pipelined round trip of single-key commands and single-slot scripts: the three keys of a
 * relation live in three slots on Redis Cluster (a user's connections span nodes, so no hash tag could unite them),
 * hence one compare-and-delete per key rather than one script over all three.
 */
public final class RedisRelationStore implements RelationStore {

    private static final Logger LOG = Logger.getLogger(RedisRelationStore.class.getName());
    private static final LuaScript DELETE_FD_USER = LuaScript.load("delete-fd-user-if-user");
    private static final LuaScript DELETE_NODE_FD = LuaScript.load("delete-node-fd-if-user");
    private static final LuaScript BIND_USER_FD = LuaScript.load("bind-user-fd");
    private static final LuaScript UNBIND_USER_FD = LuaScript.load("unbind-user-fd");

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final Duration ttl;
    private final LookupBatcher lookups;

    public RedisRelationStore(RedissonClient redis, RedisKeys keys, Duration ttl) {
        this.redis = redis;
        this.keys = keys;
        this.ttl = ttl;
        this.lookups = new LookupBatcher(redis);
    }

    @Override
    public CompletionStage<Boolean> bind(Relation r) {
        RBatch batch = redis.createBatch();
        String fd = r.fd().toString();
        String userFds = keys.userFds(r.uid());
        RFuture<Long> cameOnline = batch.getScript(StringCodec.INSTANCE).evalAsync(userFds, RScript.Mode.READ_WRITE,
                BIND_USER_FD.text(), RScript.ReturnType.LONG, List.of(userFds), Long.toString(r.boundAt()), fd,
                Long.toString(ttl.toSeconds()), keys.relationChanges(), r.uid());
        fdAndNodeInto(batch, r);
        return batch.executeAsync().thenApply(done -> cameOnline.toCompletableFuture().join() == 1);
    }

    private void fdAndNodeInto(RBatch batch, Relation r) {
        batch.getBucket(keys.fdUser(r.fd()), StringCodec.INSTANCE).setAsync(r.uid(), ttl);
        var nodeFds = batch.getMap(keys.nodeFds(r.fd().nodeId()), StringCodec.INSTANCE);
        nodeFds.fastPutAsync(r.fd().toString(), r.uid());
        nodeFds.expireAsync(ttl);
    }

    @Override
    public CompletionStage<Void> bindAll(Collection<Relation> relations) {
        if (relations.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        RBatch batch = redis.createBatch();
        Set<String> uids = new LinkedHashSet<>();
        for (Relation r : relations) {
            var userFds = batch.getScoredSortedSet(keys.userFds(r.uid()), StringCodec.INSTANCE);
            userFds.addAsync(r.boundAt(), r.fd().toString());
            userFds.expireAsync(ttl);
            fdAndNodeInto(batch, r);
            uids.add(r.uid());
        }
        // After the writes in the same pipeline: a node that hears of the change reads it.
        var changes = batch.getTopic(keys.relationChanges(), StringCodec.INSTANCE);
        uids.forEach(changes::publishAsync);
        return batch.executeAsync().thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> refresh(Collection<Relation> relations) {
        if (relations.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        RBatch batch = redis.createBatch();
        for (Relation r : relations) {
            batch.getScoredSortedSet(keys.userFds(r.uid()), StringCodec.INSTANCE).expireAsync(ttl);
            batch.getBucket(keys.fdUser(r.fd()), StringCodec.INSTANCE).expireAsync(ttl);
        }
        batch.getMap(keys.nodeFds(relations.iterator().next().fd().nodeId()), StringCodec.INSTANCE).expireAsync(ttl);
        return batch.executeAsync().thenApply(r -> null);
    }

    @Override
    public CompletionStage<Boolean> unbind(DistributedFd fd, String uid) {
        RBatch batch = redis.createBatch();
        RFuture<Long> wentOffline = unbindInto(batch, fd, uid);
        return batch.executeAsync().thenApply(r -> wentOffline.toCompletableFuture().join() == 1);
    }

    /**
     * Compare-and-delete on each key of the relation: the fd -> user key and the node's record go only while they
     * name {@code uid}; the user's set loses the fd (it is {@code uid}'s own set, so no other relation is touched).
     */
    private RFuture<Long> unbindInto(RBatch batch, DistributedFd fd, String uid) {
        String fdUser = keys.fdUser(fd);
        String nodeFds = keys.nodeFds(fd.nodeId());
        String userFds = keys.userFds(uid);
        batch.getScript(StringCodec.INSTANCE).evalAsync(fdUser, RScript.Mode.READ_WRITE, DELETE_FD_USER.text(),
                RScript.ReturnType.LONG, List.of(fdUser), uid);
        RFuture<Long> wentOffline = batch.getScript(StringCodec.INSTANCE).evalAsync(userFds, RScript.Mode.READ_WRITE,
                UNBIND_USER_FD.text(), RScript.ReturnType.LONG, List.of(userFds), fd.toString(),
                keys.relationChanges(), uid);
        batch.getScript(StringCodec.INSTANCE).evalAsync(nodeFds, RScript.Mode.READ_WRITE, DELETE_NODE_FD.text(),
                RScript.ReturnType.LONG, List.of(nodeFds), fd.toString(), uid);
        return wentOffline;
    }

    @Override
    public CompletionStage<List<DistributedFd>> fdsOf(String uid) {
        return lookups.read(keys.userFds(uid)).thenApply(RedisRelationStore::parseAll);
    }

    @Override
    public CompletionStage<Map<String, List<DistributedFd>>> fdsOf(Collection<String> uids) {
        RBatch batch = redis.createBatch();
        Map<String, RFuture<Collection<Object>>> futures = new LinkedHashMap<>();
        for (String uid : uids) {
            futures.computeIfAbsent(uid, u -> batch.getScoredSortedSet(keys.userFds(u), StringCodec.INSTANCE)
                    .readAllAsync());
        }
        return batch.executeAsync().thenApply(done -> {
            Map<String, List<DistributedFd>> result = new LinkedHashMap<>();
            futures.forEach((uid, f) -> result.put(uid, parseAll(f.toCompletableFuture().join())));
            return result;
        });
    }

    @Override
    public CompletionStage<Optional<String>> userOf(DistributedFd fd) {
        return redis.<String>getBucket(keys.fdUser(fd), StringCodec.INSTANCE).getAsync()
                .thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<PurgedRelations> purgeNode(String nodeId) {
        var nodeFds = redis.<String, String>getMap(keys.nodeFds(nodeId), StringCodec.INSTANCE);
        return nodeFds.readAllMapAsync().thenCompose(held -> {
            RBatch batch = redis.createBatch();
            Map<String, RFuture<Long>> wentOffline = new LinkedHashMap<>();
            held.forEach((fd, uid) -> {
                try {
                    wentOffline.put(fd, unbindInto(batch, DistributedFd.parse(fd), uid));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "Skipping malformed fd {0} of node {1}", new Object[] {fd, nodeId});
                }
            });
            batch.getMap(keys.nodeFds(nodeId), StringCodec.INSTANCE).deleteAsync();
            return batch.executeAsync().thenApply(r -> {
                List<String> offline = new ArrayList<>();
                wentOffline.forEach((fd, result) -> {
                    if (result.toCompletableFuture().join() == 1) {
                        offline.add(held.get(fd));
                    }
                });
                return new PurgedRelations(held.size(), offline);
            });
        });
    }

    /**
     * Every bind and unbind publishes its uid on {@link RedisKeys#relationChanges()} from the script that changes the
     * user's set, so the change is told before the call that made it returns. Messages published while this client
     * reconnects are lost: each (re)subscription tells {@link Changes#missed()}.
     */
    @Override
    public Optional<AutoCloseable> watch(Changes changes) {
        RTopic topic = redis.getTopic(keys.relationChanges(), StringCodec.INSTANCE);
        int heard = topic.addListener(String.class, (channel, uid) -> changes.changed(uid));
        int resubscribed = topic.addListener(new BaseStatusListener() {
            @Override
            public void onSubscribe(String channel) {
                changes.missed();
            }
        });
        // Subscribed once addListener returned: nothing learned before now is known to be current.
        changes.missed();
        return Optional.of(() -> topic.removeListener(heard, resubscribed));
    }

    private static List<DistributedFd> parseAll(Collection<?> raw) {
        List<DistributedFd> fds = new ArrayList<>(raw.size());
        for (Object value : raw) {
            try {
                fds.add(DistributedFd.parse(String.valueOf(value)));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "Ignoring malformed distributed fd {0} in Redis", value);
            }
        }
        return fds;
    }

}
