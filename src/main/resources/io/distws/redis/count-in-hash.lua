-- Adds to a count in a hash and drops the field when the count comes to zero; renews the key's TTL. Counts that meet
-- out of order (a decrement before its increment) pass through negative values and still end right.
-- KEYS[1] the hash, ARGV[1] the field, ARGV[2] the amount (may be negative), ARGV[3] the TTL in seconds
-- Returns the new count.
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if count == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return count
