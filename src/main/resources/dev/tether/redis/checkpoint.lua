-- One checkpoint of a run: appended to the run's list, then the oldest dropped while the run has
-- more than its count or its bytes allow (the newest always stays). Refused (-1) once the run is
-- recorded terminal: nothing is written for a run after it was reported stopped, from any worker.
-- KEYS: checkpoint list, its byte counter, the run's hash. ARGV: entry, max count, max bytes, expiry ms.
if redis.call('HGET', KEYS[3], 't') == '1' then return -1 end
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
local total = redis.call('INCRBY', KEYS[2], string.len(ARGV[1]))
while n > 1 and (n > tonumber(ARGV[2]) or total > tonumber(ARGV[3])) do
  local gone = redis.call('LPOP', KEYS[1])
  total = redis.call('INCRBY', KEYS[2], -string.len(gone))
  n = n - 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return n
