-- Removes a connection from a room, atomically in the room's slot, and says whether it was the user's last one there.
-- KEYS[1] the room's nodes hash, KEYS[2] its users hash, KEYS[3] its members held by the connection's node (fd -> uid)
-- ARGV[1] the node id, ARGV[2] the fd (number)
-- Returns {1, the user's connections in the room now} when removed, {0, 0} when it was no member.
local uid = redis.call('HGET', KEYS[3], ARGV[2])
if not uid then return {0, 0} end
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
local count = redis.call('HINCRBY', KEYS[2], uid, -1)
if count <= 0 then
  redis.call('HDEL', KEYS[2], uid)
  count = 0
end
return {1, count}
