-- Appends a message to a stream and gives it the stream's next offset (Centrifugo's way: one script, so offsets and
-- the stream's order are one and the same).
-- KEYS[1] the stream's meta hash (epoch, top), KEYS[2] its log (a Redis stream, entry ids <offset>-0); both carry the
-- hash tag {<stream>}.
-- ARGV[1] the most messages kept, ARGV[2] the TTL in seconds, ARGV[3] a fresh epoch, used when the stream has none,
-- ARGV[4] the opcode, ARGV[5] the data (Base64 for binary), ARGV[6] who the message is not for (JSON; '' for everyone),
-- ARGV[7] the node that routes it ('' if none) and ARGV[8] the number of its send in that node's routing order
-- Returns {offset, epoch}.
--
-- Idempotent for a routed message: the client library sends a script again when its reply is late or its connection
-- drops (a retry), and the first run may have happened. A node appends in its routing order, one round trip at a
-- time, so its numbers only grow: the meta's 'q:<node>' keeps '<number>:<offset>' of its last append, and a number
-- not above it is a repeat, answered with the offset the message got the first time (looked up in the log when it was
-- not the last one), never appended twice.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  -- A stream without its meta was lost (expired, Redis emptied): a new epoch, and no entry of the old one.
  epoch = ARGV[3]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local node = ARGV[7]
local slot = tonumber(ARGV[8])
if node ~= '' then
  local last = redis.call('HGET', KEYS[1], 'q:' .. node)
  if last then
    local lastSlot, lastOffset = string.match(last, '^(%d+):(%d+)$')
    if tonumber(lastSlot) == slot then
      return {tonumber(lastOffset), epoch}
    end
    if tonumber(lastSlot) > slot then
      local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 512)
      for _, entry in ipairs(entries) do
        local f = entry[2]
        local n, q
        for i = 1, #f, 2 do
          if f[i] == 'n' then n = f[i + 1] elseif f[i] == 'q' then q = f[i + 1] end
        end
        if n == node and tonumber(q) == slot then
          return {tonumber(string.match(entry[1], '^(%d+)')), epoch}
        end
      end
      -- Not among the last ones (trimmed meanwhile): appended as new, as without a number.
    end
  end
end
local top = redis.call('HINCRBY', KEYS[1], 'top', 1)
if node ~= '' then
  redis.call('HSET', KEYS[1], 'q:' .. node, slot .. ':' .. top)
end
local fields = {'o', ARGV[4], 'd', ARGV[5]}
if ARGV[6] ~= '' then
  fields[#fields + 1] = 'x'
  fields[#fields + 1] = ARGV[6]
end
if ARGV[7] ~= '' then
  fields[#fields + 1] = 'n'
  fields[#fields + 1] = ARGV[7]
  fields[#fields + 1] = 'q'
  fields[#fields + 1] = ARGV[8]
end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], top .. '-0', unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {top, epoch}
