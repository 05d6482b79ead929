package io.distws.redis;

/** Failovers and a slot migration with the queue driver on a Redis Cluster. */
class QueueFailoverOnClusterTest extends ClusterFailoverContract {
    @Override
    String driver() {
        return "queue";
    }
}
