-- Settles a worker whose heartbeat is gone, all at once: only if it is still gone and the worker still listed
-- (a second sweeper finds it settled), and only if every run is still at the version the plan was made from.
-- KEYS: heartbeat, workers set, worker's run set, active, finished, events, worker's policy, run ids index. ARGV[1]: the plan (JSON), ARGV[2]: worker name.
local plan = cjson.decode(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 'alive' end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return 'gone' end
for _, c in ipairs(plan.checks) do
  local cur = redis.call('HGET', c.k, 'v')
  if tostring(cur) ~= c.v then return 'conflict' end
end
for _, p in ipairs(plan.puts) do
  put(p.k, KEYS[4], KEYS[5], KEYS[6], p.v, p.t, p.j, p.id, p.e, plan.ttl, plan.cap, p.w, KEYS[8])
end
-- A run made LOST that a rollback was asked for loses its checkpoints now, as its worker's finish would
-- have: the rollback was answered while the run was still RUNNING on a worker already dead.
for _, p in ipairs(plan.puts) do
  if redis.call('EXISTS', plan.prefix .. 'rollback:' .. p.id) == 1 then
    redis.call('DEL', plan.prefix .. 'cp:' .. p.id, plan.prefix .. 'cp:' .. p.id .. ':bytes')
  end
end
for _, q in ipairs(plan.requeue) do
  redis.call('XADD', q.s, '*', unpack(q.f))
  redis.call('XACK', q.s, plan.group, q.id)
end
for _, a in ipairs(plan.ack) do redis.call('XACK', a.s, plan.group, a.id) end
-- retries the policies of runs made LOST ask for, scheduled once: a second sweeper finds this one's work done
for _, r in ipairs(plan.retries or {}) do schedule(plan.prefix, KEYS[4], KEYS[5], KEYS[6], KEYS[8], r.w, r.due, r.q, r.f) end
for _, s in ipairs(plan.streams) do redis.pcall('XGROUP', 'DELCONSUMER', s, plan.group, ARGV[2]) end
redis.call('DEL', KEYS[3], KEYS[7])
redis.call('SREM', KEYS[2], ARGV[2])
return 'settled'
