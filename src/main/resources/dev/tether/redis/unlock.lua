-- Releases a lock only for its owner. KEYS: lock. ARGV: owner token.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
