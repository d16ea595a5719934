-- Read-apply-write of one run (RunStore.update): written only if the stored version is still the one read.
-- KEYS: run, active, finished, events, run ids index. ARGV: expected version, then the write arguments (8), then optionally
-- the change from the version read (see put). Returns 1, or 0 on a conflict.
local cur = read_run(KEYS[1])
if tostring(cur[1]) ~= ARGV[1] then return 0 end
if held_by_another(cur, ARGV[9]) then return -3 end
return put(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], KEYS[5], ARGV[1], ARGV[10], cur)
