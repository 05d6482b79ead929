-- Takes the job of purging a silent node: exactly one caller wins, and nobody if the node beat again meanwhile.
-- KEYS[1] the sorted set of nodes scored by last beat
-- ARGV[1] the node id, ARGV[2] the oldest beat (epoch millis) that still counts as alive
-- Returns 1 when this caller removed the node from the set (it purges), 0 otherwise.
local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
if beat and tonumber(beat) < tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
