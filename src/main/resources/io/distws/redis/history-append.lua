-- Appends a message to a stream and gives it the stream's next offset (Centrifugo's way: one script, so offsets and
-- the stream's order are one and the same).
-- KEYS[1] the stream's meta hash (epoch, top), KEYS[2] its log (a Redis stream, entry ids <offset>-0); both carry the
-- hash tag {<stream>}.
-- ARGV[1] the most messages kept, ARGV[2] the TTL in seconds, ARGV[3] a fresh epoch, used when the stream has none,
-- ARGV[4] the opcode, ARGV[5] the data (Base64 for binary), ARGV[6] who the message is not for (JSON; '' for everyone),
-- ARGV[7] the node that routes it ('' if none) and ARGV[8] the number of its send in that node's routing order
-- Returns {offset, epoch}.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  -- A stream without its meta was lost (expired, Redis emptied): a new epoch, and no entry of the old one.
  epoch = ARGV[3]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local top = redis.call('HINCRBY', KEYS[1], 'top', 1)
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
