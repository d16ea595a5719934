package dev.tether.redis;

import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

import java.util.ArrayList;
import java.util.List;

/** Which of many keys exist, in one round trip. */
final class Exists {
    private Exists() {}

    static List<Boolean> each(UnifiedJedis redis, List<String> keys) {
        if (keys.isEmpty()) return List.of();
        var responses = new ArrayList<Response<Boolean>>(keys.size());
        try (var pipe = redis.pipelined()) {
            for (var k : keys) responses.add(pipe.exists(k));
            pipe.sync();
        }
        return responses.stream().map(Response::get).toList();
    }
}
