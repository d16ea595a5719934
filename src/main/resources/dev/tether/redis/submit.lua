-- A new run: its QUEUED state and its job, both or neither. A retry after a lost reply adds nothing.
-- KEYS: run, active, finished, events, stream, run ids index. ARGV: the write arguments (8), then the job's field/value pairs.
-- Only a fresh QUEUED record of no worker, at version 1, is accepted (-2 otherwise): a submitter creates runs, it
-- never writes a state of a started run nor pins a version. The record is written field by field with HSETNX, so
-- the submitter role needs no right to overwrite a run (docs/redis-protocol.md, roles).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ok, s = pcall(cjson.decode, ARGV[3])
if ARGV[1] ~= '1' or ARGV[2] ~= '0' or ARGV[8] ~= '' or not ok or type(s) ~= 'table' or s['status'] ~= 'QUEUED'
    or s['runId'] ~= ARGV[4] or tostring(s['version']) ~= '1' then
  return -2
end
redis.call('HSETNX', KEYS[1], 'v', ARGV[1])
redis.call('HSETNX', KEYS[1], 't', ARGV[2])
redis.call('HSETNX', KEYS[1], 'w', ARGV[8])
redis.call('HSETNX', KEYS[1], 'j', ARGV[3])
redis.call('HSETNX', KEYS[1], 'f', job_fingerprint(ARGV, 9))
local d = descriptor(ARGV[3])
redis.call('HSETNX', KEYS[1], 'd', d)
redis.call('SADD', KEYS[2], ARGV[4])
live(KEYS[2], ARGV[4], d, '') -- a new record: the live index holds no entry of its (ids are never reused)
index(KEYS[6], ARGV[4], s)
redis.call('PUBLISH', KEYS[4], ARGV[3])
redis.call('XADD', KEYS[5], '*', unpack(ARGV, 9))
return 1
