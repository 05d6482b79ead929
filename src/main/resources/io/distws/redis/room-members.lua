-- Reads a room's presence: its connections, its users and up to a cap of them with their connection counts.
-- KEYS[1] the room's nodes hash (node id -> member connections), KEYS[2] its users hash (uid -> connections)
-- ARGV[1] the most users to list
-- Returns {connections, users, uid1, count1, uid2, count2, ...}; past the cap, a random choice of users.
local connections = 0
for _, n in ipairs(redis.call('HVALS', KEYS[1])) do connections = connections + tonumber(n) end
local users = redis.call('HLEN', KEYS[2])
local listed
if users <= tonumber(ARGV[1]) then
  listed = redis.call('HGETALL', KEYS[2])
else
  listed = redis.call('HRANDFIELD', KEYS[2], ARGV[1], 'WITHVALUES')
end
local result = {connections, users}
for _, v in ipairs(listed) do result[#result + 1] = v end
return result
