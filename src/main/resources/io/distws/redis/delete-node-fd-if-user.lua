-- Removes a connection from its node's fd -> user hash only while it still names the expected user
-- (compare-and-delete), so a connection rebound to another user stays known to the purge of its node.
-- KEYS[1] the node's fds hash (hash tag {nodeId})
-- ARGV[1] the distributed fd, ARGV[2] the expected user id
-- Returns 1 when removed, 0 otherwise.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
