-- Deletes a connection's fd -> user key only while it still names the expected user (compare-and-delete), so
-- removing one relation never removes a newer one of the same connection.
-- KEYS[1] the fd -> user key
-- ARGV[1] the expected user id
-- Returns 1 when deleted, 0 when the key was missing or named another user.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
