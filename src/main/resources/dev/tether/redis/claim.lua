-- A worker takes a job: only a run still QUEUED (version 1, not terminal) with no cancel record starts,
-- and it is RUNNING on this worker in the same step, remembering the stream entry it came from.
-- Anything else says why it must not start (for a run already taken: by whom, from which entry).
-- KEYS: run, active, finished, events, cancel record, worker's run set.
-- ARGV: the write arguments (8) of the RUNNING snapshot, then the stream entry id.
local cur = redis.call('HMGET', KEYS[1], 'v', 't', 'w', 'e')
if cur[2] == '1' then return {'terminal', '', ''} end
local cv = tonumber(cur[1])
if cv and cv > 1 then return {'taken', cur[3] or '', cur[4] or ''} end
if redis.call('EXISTS', KEYS[5]) == 1 then return {'cancel', '', ''} end
put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
redis.call('HSET', KEYS[1], 'e', ARGV[9])
redis.call('SADD', KEYS[6], ARGV[4])
return {'started', '', ''}
