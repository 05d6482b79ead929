-- Removes a connection from a user's set and says whether it made the user offline (the set is now empty).
-- KEYS[1] the user's sorted set of distributed fds
-- ARGV[1] the distributed fd, ARGV[2] the channel that tells every node of the change, ARGV[3] the uid it tells
-- Returns 1 when this was the user's last connection anywhere, else 0.
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
if removed == 1 and redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
return 0
