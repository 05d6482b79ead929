-- Reads a stream's position and its messages after an offset (or its last ones), starting a fresh epoch for a stream
-- that has none, so that the position a client is given can be recovered from later.
-- KEYS[1] the stream's meta hash, KEYS[2] its log
-- ARGV[1] 'after' (ARGV[2] is the offset) or 'last' (ARGV[2] is how many), ARGV[3] the most entries to return,
-- ARGV[4] the TTL in seconds, ARGV[5] a fresh epoch
-- Returns {top, epoch, offset1, opcode1, data1, excluded1, origin1, slot1, offset2, ...}, oldest first; excluded is ''
-- when the message is for everyone, origin '' and slot '0' when no node routed it.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '0')
if not epoch then
  epoch = ARGV[5]
  top = 0
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'top', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
local entries = {}
if tonumber(ARGV[3]) == 0 then
  -- the position alone (COUNT 0 would answer with a null reply)
elseif ARGV[1] == 'after' then
  entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2] .. '-0', '+', 'COUNT', ARGV[3])
else
  local count = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]))
  if count > 0 then entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', count) end
  local reversed = {}
  for i = #entries, 1, -1 do reversed[#reversed + 1] = entries[i] end
  entries = reversed
end
local result = {top, epoch}
for _, entry in ipairs(entries) do
  local fields = {}
  for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
  result[#result + 1] = string.match(entry[1], '^(%d+)')
  result[#result + 1] = fields['o']
  result[#result + 1] = fields['d']
  result[#result + 1] = fields['x'] or ''
  result[#result + 1] = fields['n'] or ''
  result[#result + 1] = fields['q'] or '0'
end
return result
