-- Publishes a packet on a node's channel while the node is alive (pubsub driver). Liveness comes from the alive key,
-- never from the receiver count; the count only tells whether this packet met the node's subscription.
-- KEYS[1] the node's alive key, KEYS[2] the node's subscription key: the channel it listens on since it had to
-- subscribe anew (absent until then). Both carry the hash tag {nodeId}, like every channel of the node: one slot.
-- ARGV[1] the node's first channel (used while KEYS[2] is absent), ARGV[2] the packet, ARGV[3] 'SPUBLISH' on Redis
-- Cluster (the channel stays on the shard that owns its slot), else 'PUBLISH'
-- Returns how many subscribers of this server got the packet (0: the node is alive but nobody listens here right now,
-- e.g. its subscription is being re-established, so the packet is lost), or -1 when the node is not alive (nothing is
-- published). The count is exact because nodes subscribe on the master that runs this script (subscriptionMode MASTER).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local channel = redis.call('GET', KEYS[2]) or ARGV[1]
return redis.call(ARGV[3], channel, ARGV[2])
