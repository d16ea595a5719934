-- The finished index's cap: server-side configuration ({prefix}config, field finished-cap, which only the
-- admin role writes), never a client's argument; 10,000 until an admin sets it. finished: {prefix}runs:finished.
local function finished_cap(finished)
  local c = tonumber(redis.call('HGET', string.sub(finished, 1, #finished - 13) .. 'config', 'finished-cap') or '')
  if c and c >= 1 then return c end
  return 10000
end

-- What the scripts check of a run's record before writing it, in one read: v, t, d, w, e, f (in that order; false
-- where a field is missing). A script reads it once and hands it to held_by_another and put.
local function read_run(run)
  return redis.call('HMGET', run, 'v', 't', 'd', 'w', 'e', 'f')
end

-- Whether the run is held by a worker other than the one this write names (w): only a run's own worker writes
-- its states. A write naming no worker is not judged here (a worker's own end before its engine took the run
-- names none); the roles keep other writers from these scripts (docs/redis-protocol.md).
-- cur: the record as read_run read it.
local function held_by_another(cur, w)
  local held = cur[4]
  return held and held ~= '' and w ~= '' and held ~= w
end

-- The run ids index ({prefix}runs:ids, every member scored 0, read with ZRANGEBYLEX): 'f:' .. id finds a run by
-- the start of its id, 'r:' .. the id reversed by its end (the short id), 's:' .. resumed id .. ':' .. id the
-- attempts that resume a run. Added with every write that creates a record, and with the first write of a record
-- that holds no live descriptor (put below: one written by a Tether before the index, or by hand); pruned by the
-- workers once the record is gone (prune.lua).
-- j: the snapshot when the record is new (its resumeOf is indexed): its JSON, or the table its caller decoded; else nil.
local function index(ids, id, j)
  redis.call('ZADD', ids, 0, 'f:' .. id, 0, 'r:' .. string.reverse(id))
  if j then
    local ok, s = true, j -- a snapshot its caller decoded already, or its JSON
    if type(j) == 'string' then ok, s = pcall(cjson.decode, j) end
    if ok and type(s) == 'table' and type(s['resumeOf']) == 'table' and type(s['resumeOf']['runId']) == 'string' then
      redis.call('ZADD', ids, 0, 's:' .. s['resumeOf']['runId'] .. ':' .. id)
    end
  end
end

-- The live index ({prefix}runs:live, every member scored 0, read with ZRANGEBYLEX): the active runs in id order
-- (ids are time-ordered: submission order), for listing a page at a time. Per run: 'a:' .. id .. ':' .. its
-- descriptor 'status:worker:queue:graph' (what a list filters on, and what to remove when it changes), and one
-- member per thing a list filters on: 's:' .. status, 'w:' .. worker (when it has one), 'q:' .. queue and
-- 'g:' .. graph, each .. ':' .. id. Kept by put() and submit.lua; entries whose record vanished are removed
-- by the workers (unlive.lua).
-- A field of the record's head: Tether writes runId, graphId, queue, worker and status first (RunSnapshot's
-- declared JSON order), and a quote inside a JSON string is always escaped, so the first '"name":' is the
-- top-level key. A value that is not a plain name (escapes, ':') indexes as ''; the lister checks the record.
local function head_field(j, name)
  local _, e = string.find(j, '"' .. name .. '":', 1, true)
  if not e then return '' end
  return string.match(j, '^"([^"\\:]*)"', e + 1) or ''
end

local function live_members(id, d)
  local s, w, q, g = string.match(d, '^([^:]*):([^:]*):([^:]*):(.*)$')
  if not s then return {'a:' .. id .. ':' .. d} end -- not one this script wrote: only itself to remove
  local m = {'a:' .. id .. ':' .. d, 's:' .. s .. ':' .. id, 'q:' .. q .. ':' .. id, 'g:' .. g .. ':' .. id}
  if w ~= '' then m[#m + 1] = 'w:' .. w .. ':' .. id end
  return m
end

-- The descriptor of an active run's snapshot j.
local function descriptor(j)
  return head_field(j, 'status') .. ':' .. head_field(j, 'worker') .. ':' .. head_field(j, 'queue') .. ':' .. head_field(j, 'graphId')
end

-- Indexes run id under descriptor d (nil: it left the active runs). active: {prefix}runs:active, beside the index.
-- known: the descriptor it is indexed under now, as its record's 'd' field keeps it ('' for none), so that no lookup
-- is needed; nil: not known (a new record, or one without the field), looked up in the index.
local function live(active, id, d, known)
  local key = string.sub(active, 1, #active - 6) .. 'live'
  local was = known
  if was == nil then
    local old = redis.call('ZRANGEBYLEX', key, '[a:' .. id .. ':', '[a:' .. id .. ':\255', 'LIMIT', 0, 1)[1]
    was = old and string.sub(old, #id + 4) or nil
  elseif was == '' then
    was = nil
  end
  if was == d then return end
  if was then redis.call('ZREM', key, unpack(live_members(id, was))) end
  if d then
    local args = {}
    for _, m in ipairs(live_members(id, d)) do
      args[#args + 1] = 0
      args[#args + 1] = m
    end
    redis.call('ZADD', key, unpack(args))
  end
end

-- Shared by every script that writes a run: keep the newest snapshot by version; a terminal one is final.
-- Returns 1 accepted, 0 stale (same or newer stored), -1 refused (the stored run already ended).
-- cap: ignored (kept for the scripts' argument layout): the cap is finished_cap's. ids: the run ids index.
-- base, change (optional): the version the writer last wrote and what changed since (RunChange): published
-- instead of the snapshot when the stored version is that base, so that observers holding it can apply it.
-- cur (optional): the record as read_run read it in this script, before any write to it. extra (optional): more
-- field/value pairs of the record, written with the state.
-- The record keeps its live descriptor ('d', '' once it ended): a later write knows where the live index lists it,
-- and that both indexes hold it, with no lookup. unlive.lua drops the field of a record it takes out of the index.
local function put(run, active, finished, events, v, t, j, id, endms, ttl, cap, w, ids, base, change, cur, extra)
  cur = cur or read_run(run)
  if cur[2] == '1' then return -1 end
  local cv = tonumber(cur[1])
  if cv and cv >= tonumber(v) then return 0 end
  local d = t ~= '1' and descriptor(j) or nil
  redis.call('HSET', run, 'v', v, 't', t, 'w', w, 'j', j, 'd', d or '', unpack(extra or {}))
  local known = cur[1] and cur[3] or nil
  if not known then index(ids, id, (not cur[1]) and j or nil) end
  if t == '1' then
    redis.call('SREM', active, id)
    live(active, id, nil, known)
    redis.call('ZADD', finished, endms, id)
    redis.call('PEXPIRE', run, ttl)
    -- the newest cap ones stay: ranks from the oldest up to the cap's from the end go, none while there are no more
    redis.call('ZREMRANGEBYRANK', finished, 0, -finished_cap(finished) - 1)
  else
    redis.call('SADD', active, id)
    live(active, id, d, known)
  end
  if change and change ~= '' and cv and cv == tonumber(base) then
    redis.call('PUBLISH', events, change)
  else
    redis.call('PUBLISH', events, j)
  end
  return 1
end

-- Concurrency limits (max-concurrent of a graph or a queue): a hash of places (run id -> worker), a
-- sorted set of waiting runs (by submit time), and a hash of every limit's size; p is the key prefix.
-- A place lives as long as its worker is listed: a worker settled as lost (or gone) keeps none.
local function prune(lease, workers)
  local h = redis.call('HGETALL', lease)
  for i = 1, #h, 2 do
    if redis.call('SISMEMBER', workers, h[i + 1]) == 0 then redis.call('HDEL', lease, h[i]) end
  end
end

-- Sends the oldest runs waiting at a limit back to their queue, as many as it has room for; a run
-- already on its way counts (it is sent again if not claimed within 10 s: its job was lost on the way).
-- Returns how many it sent.
local function dispatch(p, limit, workers, now)
  local max = tonumber(redis.call('HGET', p .. 'limits', limit))
  if not max then return 0 end
  local lease = p .. 'lease:' .. limit
  prune(lease, workers)
  local free = max - redis.call('HLEN', lease)
  if free <= 0 then return 0 end
  local wait = p .. 'wait:' .. limit
  local sent = 0
  for _, head in ipairs(redis.call('ZRANGE', wait, 0, free - 1)) do
    local job = p .. 'job:' .. head
    local on_its_way = redis.call('HGET', job, '_d')
    if not (on_its_way and now - tonumber(on_its_way) < 10000) then
      local f = redis.call('HGETALL', job)
      local out, queue = {}, nil
      for i = 1, #f, 2 do
        if f[i] == 'queue' then queue = f[i + 1] end
        if f[i] ~= '_d' and f[i] ~= 'waited' then
          out[#out + 1] = f[i]
          out[#out + 1] = f[i + 1]
        end
      end
      if queue then
        out[#out + 1] = 'waited'
        out[#out + 1] = '1'
        redis.call('XADD', p .. 'q:' .. queue, '*', unpack(out))
        redis.call('HSET', job, '_d', now)
        sent = sent + 1
      else -- nothing left to send: it is gone
        redis.call('ZREM', wait, head)
      end
    end
  end
  return sent
end

-- A job's fingerprint ('f' in its run's record): what its submit wrote of graph, queue, submit time and input, so that a
-- claim starts a run only from the run's own job (the entry its submit wrote, or a copy of it), never from an entry
-- written by hand. Names and times hold no newline, so the input, last, cannot shift the others.
-- fields: the job's field/value pairs as a flat list, from index i on.
local function job_fingerprint(fields, i)
  local f = {}
  for k = i, #fields - 1, 2 do f[fields[k]] = fields[k + 1] end
  return redis.sha1hex((f['graph'] or '') .. '\n' .. (f['queue'] or '') .. '\n' .. (f['submittedAt'] or '') .. '\n' .. (f['input'] or ''))
end

-- A retry waiting out its backoff: its QUEUED record (views show it), its job kept aside, its fingerprint, and its
-- place in its queue's due-time index. Nothing if the run exists (scheduled already). w: the 8 write arguments.
local function schedule(p, active, finished, events, ids, w, due, queue, fields)
  local run = p .. 'run:' .. w[4]
  if redis.call('EXISTS', run) == 1 then return 0 end
  put(run, active, finished, events, w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], ids)
  redis.call('HSET', run, 'f', job_fingerprint(fields, 1))
  redis.call('HSET', p .. 'job:' .. w[4], unpack(fields))
  redis.call('ZADD', p .. 'due:' .. queue, due, w[4])
  return 1
end

-- Appends checkpoint entries (a list of strings, oldest first) to a run's list and its byte counter, skipping any
-- already among its last #entries (a write tried again after its reply was lost, or a run's end carrying what a
-- flush had just written), then drops the oldest while the run has more than max entries or max_bytes (the
-- newest always stays). Returns the list's length.
local function append_checkpoints(list, counter, entries, max, max_bytes)
  if #entries == 0 then return redis.call('LLEN', list) end -- (LRANGE would be asked from '-0', which Redis refuses)
  local seen = {}
  for _, e in ipairs(redis.call('LRANGE', list, -#entries, -1)) do seen[e] = true end
  local fresh, bytes = {}, 0
  for _, e in ipairs(entries) do
    if not seen[e] then
      fresh[#fresh + 1] = e
      bytes = bytes + string.len(e)
    end
  end
  if #fresh == 0 then return redis.call('LLEN', list) end
  local n = redis.call('RPUSH', list, unpack(fresh))
  local total = redis.call('INCRBY', counter, bytes)
  while n > 1 and (n > max or total > max_bytes) do
    local gone = redis.call('LPOP', list)
    total = redis.call('INCRBY', counter, -string.len(gone))
    n = n - 1
  end
  return n
end
