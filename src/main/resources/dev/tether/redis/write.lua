-- KEYS: run, active, finished, events, run ids index. ARGV: version, terminal, json, id, endMillis, ttlMillis, finishedCap, worker,
-- then optionally the base version and the change from it (see put)
-- A run held by another worker is not this writer's: refused (-3), as an end recorded elsewhere would be.
local cur = read_run(KEYS[1])
if held_by_another(cur, ARGV[8]) then return -3 end
return put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], KEYS[5], ARGV[9], ARGV[10], cur)
