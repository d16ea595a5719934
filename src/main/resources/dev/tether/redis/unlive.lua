-- Prunes the live index (put.lua's live()) of runs that are no longer active but kept their entries: a record that
-- vanished (expired, deleted, lost with Redis' data), or one moved out of the active set by hand or by quarantine.
-- KEYS: the live index, the active set, then each run's record. ARGV: the runs' 'a:' members, in the same order.
-- Returns how many runs it pruned.
local gone = 0
for i = 1, #ARGV do
  local m = ARGV[i]
  local id = string.match(m, '^a:([^:]+):')
  if id and (redis.call('EXISTS', KEYS[i + 2]) == 0 or redis.call('HGET', KEYS[i + 2], 't') == '1'
      or redis.call('SISMEMBER', KEYS[2], id) == 0) then
    redis.call('ZREM', KEYS[1], unpack(live_members(id, string.sub(m, #id + 4))))
    redis.call('HDEL', KEYS[i + 2], 'd') -- a record still there (quarantined) says no more where it is listed
    gone = gone + 1
  end
end
return gone
