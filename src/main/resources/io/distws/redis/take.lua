-- Takes packets from a node's inbox at least once (queue driver): acknowledges the previous take by emptying the
-- processing list, then moves up to ARGV[1] packets from the inbox's head into it and returns them, oldest first.
-- KEYS[1] the node's inbox, KEYS[2] the node's processing list (both carry the hash tag {nodeId}: one slot)
-- ARGV[1] the most packets to take, ARGV[2] the processing list's expiry in milliseconds
redis.call('DEL', KEYS[2])
local packets = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #packets > 0 then
  redis.call('LTRIM', KEYS[1], #packets, -1)
  redis.call('RPUSH', KEYS[2], unpack(packets))
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return packets
