-- A run ended on its worker: the terminal state first, then the job is acknowledged and leaves the
-- worker's set, in one step (never an acknowledged job whose end is not recorded).
-- Its checkpoints go in the same step when it is rolled back (a rollback record: the view deletes them
-- itself if the run had already ended when it set the record, so no order leaves them behind) or when
-- it completed (ARGV[11] = '1'): this script is retried until it gets through, so a run that completed
-- while Redis was away loses them too, and a checkpoint write abandoned before the end is refused
-- after it. A completion Redis refuses because it had recorded another end first (LOST while this
-- worker was cut off) keeps them: that end may be resumed.
-- KEYS: run, active, finished, events, stream, worker's run set, rollback record, checkpoint list and
-- its byte counter. ARGV: the write arguments (8), group, entry id, completed (1/0).
local r = put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
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
if discard then redis.call('DEL', KEYS[8], KEYS[9]) end
return r
