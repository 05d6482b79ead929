package io.distws.redis;

import io.distws.spi.NodeInfo;
import io.distws.spi.NodeRegistry;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Node liveness in Redis: a per-node "alive" key with a short TTL (the source of truth), a sorted set of node ids
 * scored by last beat (to list nodes), and a hash of each node's info.
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
                        : java.util.concurrent.CompletableFuture.completedFuture(false));
    }

    @Override
    public CompletionStage<Boolean> beat(NodeInfo node, Duration timeout) {
        RBatch batch = redis.createBatch();
        RFuture<Boolean> refreshed = batch.getBucket(keys.nodeAlive(node.nodeId()), StringCodec.INSTANCE)
                .setIfExistsAsync(encode(node), timeout);
        addListing(batch, node);
        return batch.executeAsync().thenCompose(done -> {
            if (refreshed.toCompletableFuture().join()) {
                return java.util.concurrent.CompletableFuture.completedFuture(true);
            }
            return redis.getBucket(keys.nodeAlive(node.nodeId()), StringCodec.INSTANCE)
                    .setAsync(encode(node), timeout).thenApply(v -> false);
        });
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

    /** KEYS[1] nodes; ARGV[1] node id, ARGV[2] oldest beat still alive (ms). Removes and returns 1 if silent. */
    private static final String CLAIM_PURGE = """
            local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if beat and tonumber(beat) < tonumber(ARGV[2]) then
              redis.call('ZREM', KEYS[1], ARGV[1])
              return 1
            end
            return 0""";

    @Override
    public CompletionStage<List<String>> silentNodes(Duration silence) {
        long before = System.currentTimeMillis() - silence.toMillis();
        return redis.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE)
                .valueRangeAsync(Double.NEGATIVE_INFINITY, true, before, false)
                .thenApply(ids -> ids.stream().map(String::valueOf).toList());
    }

    @Override
    public CompletionStage<Boolean> claimPurge(String nodeId, Duration silence) {
        long before = System.currentTimeMillis() - silence.toMillis();
        return redis.getScript(StringCodec.INSTANCE)
                .<Long>evalAsync(keys.nodes(), RScript.Mode.READ_WRITE, CLAIM_PURGE, RScript.ReturnType.LONG,
                        List.of(keys.nodes()), nodeId, Long.toString(before))
                .thenApply(won -> won != null && won == 1L);
    }

    @Override
    public CompletionStage<Void> leave(String nodeId) {
        RBatch batch = redis.createBatch();
        batch.getScoredSortedSet(keys.nodes(), StringCodec.INSTANCE).removeAsync(nodeId);
        batch.getMap(keys.nodeInfo(), StringCodec.INSTANCE).fastRemoveAsync(nodeId);
        batch.getBucket(keys.nodeAlive(nodeId), StringCodec.INSTANCE).deleteAsync();
        batch.getQueue(keys.nodeInbox(nodeId), StringCodec.INSTANCE).deleteAsync();
        return batch.executeAsync().thenApply(r -> null);
    }

    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    static String encode(NodeInfo node) {
        return JSON.createObjectBuilder()
                .add("driver", node.driver())
                .add("connections", node.connections())
                .add("startedAt", node.startedAt())
                .build().toString();
    }

    static NodeInfo decode(String nodeId, String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            JsonObject o = reader.readObject();
            return new NodeInfo(nodeId, o.getString("driver", "unknown"), o.getInt("connections", 0),
                    o.getJsonNumber("startedAt") != null ? o.getJsonNumber("startedAt").longValue() : 0);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Ignoring malformed info of node {0}", nodeId);
            return new NodeInfo(nodeId, "unknown", 0, 0);
        }
    }
}
