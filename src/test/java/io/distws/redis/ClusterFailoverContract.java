package io.distws.redis;

import io.distws.support.RedisServers;
import io.distws.support.TestRedis;
import org.junit.jupiter.api.Test;

/** The failovers of {@link FailoverContract}, and on a Redis Cluster also a slot migration under the nodes' feet. */
abstract class ClusterFailoverContract extends FailoverContract {

    @Override
    TestRedis.Topology topology() {
        return TestRedis.Topology.CLUSTER;
    }

    @Test
    void resumesMessagingWithinTenSecondsWhenTheReceiversSlotMovesToAnotherMaster() throws Exception {
        String inbox = new RedisKeys(prefix, "u:%s", "f:%s").nodeInbox(b.nodeId());
        int from = RedisServers.clusterMasterOf(inbox);
        int to = RedisServers.clusterMasters().stream().filter(port -> port != from).findFirst().orElseThrow();
        RedisServers.migrateSlot(inbox, to);
        long healedMillis = awaitMessagingAgain();
        report("slot of the receiver moved from " + from + " to " + to, healedMillis);
        assertNothingSentAfterRecoveryIsLost();
    }
}
