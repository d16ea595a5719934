-- Prunes the run ids index (put.lua's index()) of runs whose record is gone (ended and expired, or lost with
-- Redis' data): their start and end entries, and the entries of the attempts that resume them. A record written
-- again later is indexed again by that write. KEYS: run ids index, then each run's record. ARGV: the runs' ids, in
-- the same order. Returns how many runs it pruned.
local gone = 0
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then
    local id = ARGV[i]
    redis.call('ZREM', KEYS[1], 'f:' .. id, 'r:' .. string.reverse(id))
    redis.call('ZREMRANGEBYLEX', KEYS[1], '[s:' .. id .. ':', '[s:' .. id .. ':\255')
    gone = gone + 1
  end
end
return gone
