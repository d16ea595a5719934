-- Shared by every script that writes a run: keep the newest snapshot by version; a terminal one is final.
-- Returns 1 accepted, 0 stale (same or newer stored), -1 refused (the stored run already ended).
local function put(run, active, finished, events, v, t, j, id, endms, ttl, cap, w)
  local cur = redis.call('HMGET', run, 'v', 't')
  if cur[2] == '1' then return -1 end
  local cv = tonumber(cur[1])
  if cv and cv >= tonumber(v) then return 0 end
  redis.call('HSET', run, 'v', v, 't', t, 'w', w, 'j', j)
  if t == '1' then
    redis.call('SREM', active, id)
    redis.call('ZADD', finished, endms, id)
    redis.call('PEXPIRE', run, ttl)
    local n = redis.call('ZCARD', finished)
    local c = tonumber(cap)
    if n > c then redis.call('ZREMRANGEBYRANK', finished, 0, n - c - 1) end
  else
    redis.call('SADD', active, id)
  end
  redis.call('PUBLISH', events, j)
  return 1
end
