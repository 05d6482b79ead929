package io.distws.redis;

import io.distws.support.AclUser;
import io.distws.support.RedisServers;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import org.redisson.api.RedissonClient;

/** The transport contract on Redis Cluster as an ACL user that may touch only the test's key prefix. */
class PubSubTransportWithAclUserOnClusterTest extends RedisPubSubTransportOnClusterTest {

    private AclUser user;

    @Override
    RedissonClient client() {
        user = new AclUser(RedisServers.CLUSTER_PORTS, prefix);
        return user.client(topology());
    }

    @Test
    void runsAsThatUserWhichMayNotTouchKeysOutsideItsPrefix() {
        RedisException refused = assertThrows(RedisException.class,
                () -> redis.getBucket("outside-" + prefix, StringCodec.INSTANCE).set("x"));
        assertTrue(String.valueOf(refused.getMessage()).contains("NOPERM"), refused.getMessage());
    }

    @Override
    @AfterEach
    void stopNodes() {
        super.stopNodes();
        user.close();
    }
}
