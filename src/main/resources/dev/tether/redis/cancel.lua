-- A cancel request in one round trip (RunStore.cancel), for the common case: a started run (RUNNING or
-- CANCELLING: its worker stops it) with no cancel record yet gets its record and the publish here. Anything
-- else (a QUEUED run, an ended or unknown one, a record already set: which level is the stronger is Java's to
-- say) is left to the caller, with what it needs to decide, read in the same step.
-- KEYS: run, cancel record. ARGV: the request ('level origin'), the record's life (ms), the cancels channel, run id.
-- Returns {1, the snapshot JSON} when it recorded and published; else {0, the snapshot JSON or false, the record or false}.
local j = redis.call('HGET', KEYS[1], 'j')
local recorded = redis.call('GET', KEYS[2])
if j and not recorded then
  -- read as RunStore.parse reads it: an unreadable record, or one naming another run, is not cancelled here
  local ok, s = pcall(cjson.decode, j)
  if ok and type(s) == 'table' and s['runId'] == ARGV[4] and (s['status'] == 'RUNNING' or s['status'] == 'CANCELLING') then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
    redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. ARGV[1])
    return {1, j}
  end
end
return {0, j or false, recorded or false}
