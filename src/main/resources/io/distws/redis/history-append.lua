-- Appends messages to one stream and gives each the stream's next offset (Centrifugo's way: one script, so offsets and
-- the stream's order are one and the same). One call takes all the messages a round trip carries to this stream, so
-- they are appended together or, when the call fails, not at all.
-- KEYS[1] the stream's meta hash (epoch, top), KEYS[2] its log (a Redis stream, entry ids <offset>-0); both carry the
-- hash tag {<stream>}.
-- ARGV[1] the most messages kept, ARGV[2] the TTL in seconds, ARGV[3] a fresh epoch, used when the stream has none;
-- then five arguments per message, in append order: the opcode, the data (Base64 for binary), who the message is not
-- for (JSON; '' for everyone), the node that routes it ('' if none) and the number of its send in that node's routing
-- order.
-- Returns {epoch, offset of the first message, offset of the second, ...}.
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

-- The offset a routed message got when it was appended before, or nil if it is new.
local function appendedBefore(node, slot)
  local last = redis.call('HGET', KEYS[1], 'q:' .. node)
  if not last then
    return nil
  end
  local lastSlot, lastOffset = string.match(last, '^(%d+):(%d+)$')
  if tonumber(lastSlot) == slot then
    return tonumber(lastOffset)
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
        return tonumber(string.match(entry[1], '^(%d+)'))
      end
    end
    -- Not among the last ones (trimmed meanwhile): appended as new, as without a number.
  end
  return nil
end

local offsets = {epoch}
for at = 4, #ARGV, 5 do
  local opcode, data, notFor, node, slot = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  local offset = node ~= '' and appendedBefore(node, tonumber(slot)) or nil
  if not offset then
    offset = redis.call('HINCRBY', KEYS[1], 'top', 1)
    local fields = {'o', opcode, 'd', data}
    if notFor ~= '' then
      fields[#fields + 1] = 'x'
      fields[#fields + 1] = notFor
    end
    if node ~= '' then
      redis.call('HSET', KEYS[1], 'q:' .. node, slot .. ':' .. offset)
      fields[#fields + 1] = 'n'
      fields[#fields + 1] = node
      fields[#fields + 1] = 'q'
      fields[#fields + 1] = slot
    end
    redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], offset .. '-0', unpack(fields))
  end
  offsets[#offsets + 1] = offset
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return offsets
