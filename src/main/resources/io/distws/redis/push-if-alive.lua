-- Appends a packet to a node's inbox while the node is alive, and renews the inbox's expiry (queue driver).
-- KEYS[1] the node's inbox, KEYS[2] the node's alive key (both carry the hash tag {nodeId}: one slot)
-- ARGV[1] the packet, ARGV[2] the inbox expiry in milliseconds
-- Returns 1 when pushed, -1 when the node is not alive (nothing is pushed).
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
