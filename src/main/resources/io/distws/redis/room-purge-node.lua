-- Removes every member a node held in one room (the node died or stopped), atomically in the room's slot.
-- KEYS[1] the room's nodes hash, KEYS[2] its users hash, KEYS[3] its members held by that node (fd -> uid)
-- ARGV[1] the node id
-- Returns {n, the n users whose last connection in the room was there (they left it), then the user of every member
-- removed, one entry per connection}.
local held = redis.call('HVALS', KEYS[3])
local left = {}
for _, uid in ipairs(held) do
  if redis.call('HINCRBY', KEYS[2], uid, -1) <= 0 then
    redis.call('HDEL', KEYS[2], uid)
    left[#left + 1] = uid
  end
end
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[1], ARGV[1])
local result = {#left}
for _, uid in ipairs(left) do result[#result + 1] = uid end
for _, uid in ipairs(held) do result[#result + 1] = uid end
return result
