package io.distws.redis;

/** Failovers and a slot migration with the pubsub driver on a Redis Cluster. */
class PubSubFailoverOnClusterTest extends ClusterFailoverContract {
    @Override
    String driver() {
        return "pubsub";
    }
}
