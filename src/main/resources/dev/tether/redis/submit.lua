-- A new run: its QUEUED state and its job, both or neither. A retry after a lost reply adds nothing.
-- KEYS: run, active, finished, events, stream. ARGV: the write arguments (8), then the job's field/value pairs.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
redis.call('XADD', KEYS[5], '*', unpack(ARGV, 9))
return 1
