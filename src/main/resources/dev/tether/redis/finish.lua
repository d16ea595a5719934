-- A run ended on its worker: the terminal state first, then the job is acknowledged and leaves the
-- worker's set, in one step (never an acknowledged job whose end is not recorded).
-- A run cancelled in rollback mode loses its checkpoints in the same step (the view deletes them
-- itself if the run had already ended when it set the rollback record: no order leaves them behind).
-- KEYS: run, active, finished, events, stream, worker's run set, rollback record, checkpoint list and
-- its byte counter. ARGV: the write arguments (8), group, entry id.
local r = put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
if ARGV[10] ~= '' then redis.call('XACK', KEYS[5], ARGV[9], ARGV[10]) end
redis.call('SREM', KEYS[6], ARGV[4])
if redis.call('EXISTS', KEYS[7]) == 1 then redis.call('DEL', KEYS[8], KEYS[9]) end
return r
