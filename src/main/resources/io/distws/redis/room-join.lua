-- Adds a connection to a room, atomically in the room's slot, and says whether it is the user's first connection there.
-- KEYS[1] the room's nodes hash (node id -> member connections), KEYS[2] its users hash (uid -> connections),
-- KEYS[3] its members held by the connection's node (fd -> uid); all three carry the hash tag {<room>}.
-- ARGV[1] the node id, ARGV[2] the fd (number), ARGV[3] the uid, ARGV[4] the TTL in seconds
-- Returns {1, the user's connections in the room now} when added, {0, the same} when it already was a member.
local held = redis.call('HGET', KEYS[3], ARGV[2])
if held == ARGV[3] then
  return {0, tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')}
end
if held then
  -- The connection was a member as another user (it was bound anew): that user loses this connection.
  if redis.call('HINCRBY', KEYS[2], held, -1) <= 0 then redis.call('HDEL', KEYS[2], held) end
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
local count = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return {1, count}
