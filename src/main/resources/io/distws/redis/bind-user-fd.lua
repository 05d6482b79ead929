-- Adds a connection to a user's set and says whether it made the user online (the set was empty).
-- KEYS[1] the user's sorted set of distributed fds
-- ARGV[1] the bind time (score), ARGV[2] the distributed fd, ARGV[3] the TTL in seconds,
-- ARGV[4] the channel that tells every node of the change, ARGV[5] the uid it tells
-- Returns 1 when this was the user's first connection anywhere, else 0.
local added = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if added == 1 then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
if added == 1 and redis.call('ZCARD', KEYS[1]) == 1 then return 1 end
return 0
