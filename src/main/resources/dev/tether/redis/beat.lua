-- A worker's heartbeat. KEYS: heartbeat, workers set. ARGV: record (JSON), ttl millis, name, 'join' or 'beat'.
-- A 'beat' from a worker no longer listed returns 0: it was settled (or Redis lost its data) and must resync.
local listed = redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[4] == 'beat' and not listed then return 0 end
return 1
