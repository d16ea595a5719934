-- A worker takes a job: only a run still QUEUED (not terminal, no worker yet) with no cancel record starts,
-- and it is RUNNING on this worker in the same step, remembering the stream entry it came from. A run
-- with no record never starts: the claim does not create one.
-- A run under concurrency limits starts only if each has room for it and every older run waiting there; else it
-- waits (its job kept aside, in order) and the answer names the limit. Anything else says why it must
-- not start (for a run already taken: by whom, from which entry).
-- Only the run's own job starts it: its fields must match the fingerprint its submit recorded ('mismatch'
-- otherwise, and nothing is touched); a record written before fingerprints existed is 'unverified', for the
-- worker to compare with the record itself and claim again with check '0'.
-- KEYS: run, active, finished, events, cancel record, worker's run set, workers set, run ids index.
-- ARGV: the write arguments (8) of the RUNNING snapshot, the stream entry id, prefix, now (ms), submit
-- score, check ('1': compare the job with the record's fingerprint), n, then n pairs (limit, size), then
-- the job's field/value pairs.
local p, now, score, check, n = ARGV[10], tonumber(ARGV[11]), ARGV[12], ARGV[13] == '1', tonumber(ARGV[14])
local id = ARGV[4]
local function limit(i) return ARGV[13 + 2 * i], tonumber(ARGV[14 + 2 * i]) end
-- a run that will never start leaves every wait, drops its kept job, and lets the next one go
local function forget()
  for i = 1, n do redis.call('ZREM', p .. 'wait:' .. limit(i), id) end
  if n > 0 then redis.call('DEL', p .. 'job:' .. id) end
  for i = 1, n do dispatch(p, limit(i), KEYS[7], now) end
end
local cur = read_run(KEYS[1]) -- v, t, d, w, e, f
-- no record: Redis lost it (a restart without its data while a worker held the job), or an ended run
-- expired; a submit writes record and job together, so this job is no run's that may start
if not cur[1] then forget() return {'gone', '', ''} end
if check then
  if not cur[6] then return {'unverified', '', ''} end
  if cur[6] ~= job_fingerprint(ARGV, 15 + 2 * n) then return {'mismatch', '', ''} end
end
if cur[2] == '1' then forget() return {'terminal', '', ''} end
if cur[4] and cur[4] ~= '' then
  -- this worker's own claim again (its reply, or a replica's confirmation of it, was lost): written once more,
  -- so that a WAIT after this call confirms the claim itself before the run starts
  if cur[4] == ARGV[8] and cur[5] == ARGV[9] then redis.call('HSET', KEYS[1], 'e', ARGV[9]) end
  return {'taken', cur[4], cur[5] or ''}
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  -- a submitter's record of a queued run has no expiry until a worker sees it: now it gets the usual hour
  -- (CancelRequests.KEEP), so it outlives the CANCELLED write that follows and then goes (any other
  -- record had at most that hour left anyway)
  redis.call('PEXPIRE', KEYS[5], 3600000)
  forget() return {'cancel', '', ''}
end
for i = 1, n do
  local name, max = limit(i)
  redis.call('HSET', p .. 'limits', name, max)
  local lease, wait = p .. 'lease:' .. name, p .. 'wait:' .. name
  prune(lease, KEYS[7])
  -- in order: it may take a place only if every run that waits before it can have one too
  local free = max - redis.call('HLEN', lease)
  local ahead = redis.call('ZRANK', wait, id) or redis.call('ZCARD', wait)
  if free <= 0 or ahead >= free then
    redis.call('ZADD', wait, 'NX', score, id)
    local job = p .. 'job:' .. id
    redis.call('DEL', job)
    redis.call('HSET', job, unpack(ARGV, 15 + 2 * n))
    return {'wait', name, tostring(max)}
  end
end
for i = 1, n do
  local name = limit(i)
  redis.call('HSET', p .. 'lease:' .. name, id, ARGV[8])
  redis.call('ZREM', p .. 'wait:' .. name, id)
end
if n > 0 then redis.call('DEL', p .. 'job:' .. id) end
-- the record as read above: nothing here wrote it since; the stream entry goes in the same write
if put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], KEYS[8],
    nil, nil, cur, {'e', ARGV[9]}) ~= 1 then
  redis.call('HSET', KEYS[1], 'e', ARGV[9])
end
redis.call('SADD', KEYS[6], ARGV[4])
return {'started', '', ''}
