package io.distws.redis;

import io.distws.spi.NodeInfo;
import io.distws.spi.NodeRegistry;
import io.distws.spi.Registration;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Node liveness in Redis: a per-node "alive" key with a short TTL (the one truth: a node whose alive key is gone is
 * dead, for senders and for the purge alike), a sorted set of node ids scored by last beat (to list nodes and find
 * purge candidates), and a hash of each node's info.
 */
public final class RedisNodeRegistry implements NodeRegistry {

    private static final Logger LOG = Logger.getLogger(RedisNodeRegistry.class.getName());

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final Duration nodeTimeout;

    public RedisNodeRegistry(RedissonClient redis, RedisKeys keys, Duration nodeTimeout) {
        this.redis = redis;
        this.keys = keys;
        this.nodeTimeout = nodeTimeout;
    }

    @Override
    public CompletionStage<Boolean> claim(NodeInfo node, Duration timeout) {
        return redis.getBucket(keys.nodeAlive(node.nodeId()), StringCodec.INSTANCE)
                .setIfAbsentAsync(encode(node), timeout)
                .thenCompose(claimed -> claimed
                        ? list(node).thenApply(v -> true)
                        : CompletableFuture.completedFuture(false));
    }

    /** How long the note of a purge waits for the purged node to come back and read it. */
    private static final Duration PURGE_NOTE_EXPIRY = Duration.ofHours(1);

    @Override
    public CompletionStage<Registration> beat(NodeInfo node, Duration timeout) {
        RBatch batch = redis.createBatch();
        RFuture<Boolean> refreshed = batch.getBucket(keys.nodeAlive(node.nodeId()), StringCodec.INSTANCE)
                .setIfExistsAsync(encode(node), timeout);
        addListing(batch, node);
        return batch.executeAsync().thenCompose(done -> {
            if (refreshed.toCompletableFuture().join()) {
                return CompletableFuture.completedFuture(Registration.KEPT);
            }
            // Read the note of a purge before registering again, and drop it only once registered: a beat that fails
            // half-way leaves the note for the next one.
            var notes = redis.getScoredSortedSet(keys.purgedNodes(), StringCodec.INSTANCE);
            return notes.getScoreAsync(node.nodeId())
                    .thenCompose(note -> redis.getBucket(keys.nodeAlive(node.nodeId()), StringCodec.INSTANCE)
                            .setAsync(encode(node), timeout)
                            .thenCompose(v -> note == null
                                    ? CompletableFuture.completedFuture(Registration.LOST)
                                    : notes.removeAsync(node.nodeId()).thenApply(r -> Registration.PURGED)));
        });
    }

    @Override
    public CompletionStage<Void> markPurged(String nodeId) {
        long now = System.currentTimeMillis();
        RBatch batch = redis.createBatch();
        var purged = batch.getScoredSortedSet(keys.purgedNodes(), StringCodec.INSTANCE);
        purged.removeRangeByScoreAsync(Double.NEGATIVE_INFINITY, true, now - PURGE_NOTE_EXPIRY.toMillis(), true);
        purged.addAsync(now, nodeId);
        return batch.executeAsync().thenApply(r -> null);
    }

    private CompletionStage<Void> list(NodeInfo node) {
        RBatch batch = redis.createBatch();
        addListing(batch, node);
        return batch.executeAsync().thenApply(r -> null);
    }

    private void addListing(RBatch batch, NodeInfo node) {
        batch.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE).addAsync(System.currentTimeMillis(), node.nodeId());
        batch.getMap(keys.nodeInfo(), StringCodec.INSTANCE).fastPutAsync(node.nodeId(), encode(node));
    }

    @Override
    public CompletionStage<List<NodeInfo>> liveNodes() {
        RBatch batch = redis.createBatch();
        long since = System.currentTimeMillis() - nodeTimeout.toMillis();
        RFuture<Collection<Object>> live = batch.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE)
                .valueRangeAsync(since, true, Double.POSITIVE_INFINITY, true);
        RFuture<Map<Object, Object>> infos = batch.getMap(keys.nodeInfo(), StringCodec.INSTANCE).readAllMapAsync();
        return batch.executeAsync().thenApply(done -> {
            Map<Object, Object> info = infos.toCompletableFuture().join();
            List<NodeInfo> nodes = new ArrayList<>();
            for (Object id : live.toCompletableFuture().join()) {
                Object json = info.get(id);
                nodes.add(json != null ? decode(String.valueOf(id), String.valueOf(json))
                        : new NodeInfo(String.valueOf(id), "unknown", 0, 0));
            }
            return nodes;
        });
    }

    private static final LuaScript CLAIM_PURGE = LuaScript.load("claim-purge");

    @Override
    public CompletionStage<List<String>> silentNodes(Duration silence) {
        long before = System.currentTimeMillis() - silence.toMillis();
        return redis.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE)
                .valueRangeAsync(Double.NEGATIVE_INFINITY, true, before, false)
                .thenCompose(ids -> ids.isEmpty()
                        ? CompletableFuture.completedFuture(List.<String>of())
                        : withoutAliveKey(ids.stream().map(String::valueOf).toList()));
    }

    /**
     * The alive key is the one truth of a node's life (its TTL runs on Redis's clock, not on the beating node's):
     * an old score alone, e.g. from a node whose clock is behind, never gets a live node purged.
     */
    private CompletionStage<List<String>> withoutAliveKey(List<String> candidates) {
        RBatch batch = redis.createBatch();
        List<RFuture<Boolean>> alive = new ArrayList<>(candidates.size());
        for (String id : candidates) {
            alive.add(batch.getBucket(keys.nodeAlive(id), StringCodec.INSTANCE).isExistsAsync());
        }
        return batch.executeAsync().thenApply(done -> {
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                if (!alive.get(i).toCompletableFuture().join()) {
                    gone.add(candidates.get(i));
                }
            }
            return gone;
        });
    }

    @Override
    public CompletionStage<Boolean> claimPurge(String nodeId, Duration silence) {
        long before = System.currentTimeMillis() - silence.toMillis();
        return CLAIM_PURGE.evalLong(redis, List.of(keys.nodes()), nodeId, Long.toString(before))
                .thenApply(won -> won != null && won == 1L);
    }

    @Override
    public CompletionStage<Void> leave(String nodeId) {
        RBatch batch = redis.createBatch();
        batch.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE).removeAsync(nodeId);
        batch.getMap(keys.nodeInfo(), StringCodec.INSTANCE).fastRemoveAsync(nodeId);
        batch.getBucket(keys.nodeAlive(nodeId), StringCodec.INSTANCE).deleteAsync();
        batch.getQueue(keys.nodeInbox(nodeId), StringCodec.INSTANCE).deleteAsync();
        batch.getQueue(keys.nodeProcessing(nodeId), StringCodec.INSTANCE).deleteAsync();
        batch.getBucket(keys.nodeSubscription(nodeId), StringCodec.INSTANCE).deleteAsync();
        return batch.executeAsync().thenApply(r -> null);
    }

    private static final JsonBuilderFactory BUILDERS = Json.createBuilderFactory(Map.of());
    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());

    static String encode(NodeInfo node) {
        return BUILDERS.createObjectBuilder()
                .add("driver", node.driver())
                .add("connections", node.connections())
                .add("startedAt", node.startedAt())
                .build().toString();
    }

    static NodeInfo decode(String nodeId, String json) {
        try (var reader = READERS.createReader(new StringReader(json))) {
            JsonObject o = reader.readObject();
            return new NodeInfo(nodeId, o.getString("driver", "unknown"), o.getInt("connections", 0),
                    o.getJsonNumber("startedAt") != null ? o.getJsonNumber("startedAt").longValue() : 0);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Ignoring malformed info of node {0}", nodeId);
            return new NodeInfo(nodeId, "unknown", 0, 0);
        }
    }
}
