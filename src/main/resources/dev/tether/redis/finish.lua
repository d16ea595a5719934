-- A run ended on its worker: the terminal state first, then the job is acknowledged and leaves the
-- worker's set, in one step (never an acknowledged job whose end is not recorded). Its places under
-- concurrency limits are freed and the oldest run waiting at each may go; a retry its policy asked
-- for is scheduled in the same step.
-- Its checkpoints go in the same step when it is rolled back (a rollback record: the view deletes them
-- itself if the run had already ended when it set the record, so no order leaves them behind) or when
-- it completed (ARGV[11] = '1'): this script is retried until it gets through, so a run that completed
-- while Redis was away loses them too, and a checkpoint write abandoned before the end is refused
-- after it. A completion Redis refuses because it had recorded another end first (LOST while this
-- worker was cut off) keeps them: that end may be resumed. Kept ones expire with the run's record.
-- The checkpoints the run still had queued on its worker (c of them, none for a completed run) are appended in
-- the same step, before the kept list's expiry is set, when this call records the end or finds this very end
-- already recorded by this worker (its shutdown writes ends first), skipping any a flush of the worker's
-- already wrote; never after another end.
-- KEYS: run, active, finished, events, stream, worker's run set, rollback record, checkpoint list and
-- its byte counter, workers set, run ids index. ARGV: the write arguments (8), group, entry id, completed (1/0),
-- prefix, now (ms), n, n limits, the base version and the change from it (see put; '' for none), c, the
-- checkpoints' max count and max bytes, c entries, then for a retry: its 8 write arguments, due (ms), queue,
-- then its job's field/value pairs.
-- A run held by another worker is not this one's to end: its own entry and set are cleared, nothing of the run is touched.
local cur = read_run(KEYS[1])
if held_by_another(cur, ARGV[8]) then
  if ARGV[10] ~= '' then redis.call('XACK', KEYS[5], ARGV[9], ARGV[10]) end
  redis.call('SREM', KEYS[6], ARGV[4])
  return -3
end
local p, now, n = ARGV[12], tonumber(ARGV[13]), tonumber(ARGV[14] or '0')
local r = put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], KEYS[11],
  ARGV[15 + n], ARGV[16 + n], cur)
if ARGV[10] ~= '' then redis.call('XACK', KEYS[5], ARGV[9], ARGV[10]) end
redis.call('SREM', KEYS[6], ARGV[4])
local discard = redis.call('EXISTS', KEYS[7]) == 1
if not discard and ARGV[11] == '1' then
  if r ~= -1 then
    discard = true
  else -- recorded terminal before: by this worker's own write of the same end (a shutdown), or another end
    local ok, stored = pcall(cjson.decode, redis.call('HGET', KEYS[1], 'j') or '')
    discard = ok and type(stored) == 'table' and stored['status'] == 'COMPLETED'
  end
end
if discard then
  redis.call('DEL', KEYS[8], KEYS[9])
else -- kept for a resume, as long as the run's record: counted from its end (a node may have run long since the last one)
  local c = tonumber(ARGV[17 + n] or '0') or 0
  local own = r >= 0
  if not own and c > 0 then
    local stored = redis.call('HMGET', KEYS[1], 'v', 'w') -- as put found it or left it
    own = stored[1] == ARGV[1] and stored[2] == ARGV[8]
  end
  if c > 0 and own then
    append_checkpoints(KEYS[8], KEYS[9], {unpack(ARGV, 20 + n, 19 + n + c)}, tonumber(ARGV[18 + n]), tonumber(ARGV[19 + n]))
  end
  redis.call('PEXPIRE', KEYS[8], ARGV[6])
  redis.call('PEXPIRE', KEYS[9], ARGV[6])
end
for i = 1, n do redis.call('HDEL', p .. 'lease:' .. ARGV[14 + i], ARGV[4]) end
for i = 1, n do dispatch(p, ARGV[14 + i], KEYS[10], now) end
local at = 20 + n + (tonumber(ARGV[17 + n] or '0') or 0)
if r == 1 and #ARGV >= at + 9 then -- only with the end it follows: a refused or repeated end schedules nothing
  local w = {}
  for i = 0, 7 do w[i + 1] = ARGV[at + i] end
  local fields = {}
  for i = at + 10, #ARGV do fields[#fields + 1] = ARGV[i] end
  schedule(p, KEYS[2], KEYS[3], KEYS[4], KEYS[11], w, ARGV[at + 8], ARGV[at + 9], fields)
end
return r
