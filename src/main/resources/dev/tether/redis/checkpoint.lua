-- A run's queued checkpoints, oldest first: appended to the run's list, then the oldest dropped while the run
-- has more than its count or its bytes allow (the newest always stays). Refused (-1) once the run is recorded
-- terminal: nothing is written for a run after it was reported stopped, from any worker (a run's own end
-- carries what it still had queued, finish.lua).
-- KEYS: checkpoint list, its byte counter, the run's hash. ARGV: max count, max bytes, expiry ms, then the entries.
if redis.call('HGET', KEYS[3], 't') == '1' then return -1 end
local n = append_checkpoints(KEYS[1], KEYS[2], {unpack(ARGV, 4)}, tonumber(ARGV[1]), tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
