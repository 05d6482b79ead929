package io.distws.redis;

import io.distws.api.DistributedFd;
import io.distws.spi.Relation;
import io.distws.spi.RelationStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Relations in Redis: user -> sorted set of distributed fds (scored by bind time), fd -> user, and node -> hash of its
 * fds. Each call is one pipelined round trip; no command spans two per-user keys, so it works on Redis Cluster.
 */
public final class RedisRelationStore implements RelationStore {

    private static final Logger LOG = Logger.getLogger(RedisRelationStore.class.getName());
    /** Deletes fd -> user only while it still names the expected user. */
    private static final String COMPARE_AND_DELETE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

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
    public CompletionStage<Void> bind(Relation relation) {
        return bindAll(List.of(relation));
    }

    @Override
    public CompletionStage<Void> bindAll(Collection<Relation> relations) {
        if (relations.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        RBatch batch = redis.createBatch();
        for (Relation r : relations) {
            String fd = r.fd().toString();
            var userFds = batch.getScoredSortedSet(keys.userFds(r.uid()), StringCodec.INSTANCE);
            userFds.addAsync(r.boundAt(), fd);
            userFds.expireAsync(ttl);
            batch.getBucket(keys.fdUser(r.fd()), StringCodec.INSTANCE).setAsync(r.uid(), ttl);
            var nodeFds = batch.getMap(keys.nodeFds(r.fd().nodeId()), StringCodec.INSTANCE);
            nodeFds.fastPutAsync(fd, r.uid());
            nodeFds.expireAsync(ttl);
        }
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
    public CompletionStage<Void> unbind(DistributedFd fd, String uid) {
        RBatch batch = redis.createBatch();
        unbindInto(batch, fd, uid);
        return batch.executeAsync().thenApply(r -> null);
    }

    private void unbindInto(RBatch batch, DistributedFd fd, String uid) {
        batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, COMPARE_AND_DELETE,
                RScript.ReturnType.LONG, List.of(keys.fdUser(fd)), uid);
        batch.getScoredSortedSet(keys.userFds(uid), StringCodec.INSTANCE).removeAsync(fd.toString());
        batch.getMap(keys.nodeFds(fd.nodeId()), StringCodec.INSTANCE).fastRemoveAsync(fd.toString());
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
    public CompletionStage<Integer> purgeNode(String nodeId) {
        var nodeFds = redis.<String, String>getMap(keys.nodeFds(nodeId), StringCodec.INSTANCE);
        return nodeFds.readAllMapAsync().thenCompose(held -> {
            RBatch batch = redis.createBatch();
            held.forEach((fd, uid) -> {
                try {
                    unbindInto(batch, DistributedFd.parse(fd), uid);
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "Skipping malformed fd {0} of node {1}", new Object[] {fd, nodeId});
                }
            });
            batch.getMap(keys.nodeFds(nodeId), StringCodec.INSTANCE).deleteAsync();
            return batch.executeAsync().thenApply(r -> held.size());
        });
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
