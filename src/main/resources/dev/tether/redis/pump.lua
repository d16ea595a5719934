-- Every worker, every half second: the retries of its queues that fell due go onto their streams (each
-- once, whichever worker moves it), and every concurrency limit with room sends its oldest waiting run.
-- KEYS: workers set. ARGV: prefix, now (ms), most per queue, then the queues. Returns how many it sent.
local p, now, most = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local sent = 0
for q = 4, #ARGV do
  local due = p .. 'due:' .. ARGV[q]
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, most)) do
    redis.call('ZREM', due, id)
    local job = p .. 'job:' .. id
    local f = redis.call('HGETALL', job)
    if #f > 0 then
      redis.call('XADD', p .. 'q:' .. ARGV[q], '*', unpack(f))
      sent = sent + 1
    end
    redis.call('DEL', job)
  end
end
for _, limit in ipairs(redis.call('HKEYS', p .. 'limits')) do sent = sent + dispatch(p, limit, KEYS[1], now) end
return sent
