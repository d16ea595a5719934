package dev.tether.redis;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.run.RunPolicy;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

/**
 * A test graph that counts its own concurrency, in Redis (shared by every worker process): its node
 * adds "pid:runId" to the set {@code probe:inflight} and raises {@code probe:max} to the set's size in
 * one script, works {@code millis}, then leaves the set. Its definition limits it to
 * {@value #LIMIT} runs at once, across all workers. A worker killed mid-node leaves its members
 * behind: the test removes them by pid once the process is gone. While {@code probe:hold} names a
 * worker's pid, that worker's runs that enter the node stay there (until the process dies or the run
 * is cancelled) and say so in {@code probe:held}, decided in the same script that lets them in: a test
 * that sees a member there kills a worker that is certainly inside a run (a run that entered just
 * before the hold was set is in {@code probe:inflight} but may be finishing).
 */
public final class ConcurrencyProbeGraph implements GraphDefinition {
    static final int LIMIT = 3;
    static final String INFLIGHT = "probe:inflight", MAX = "probe:max", HOLD = "probe:hold", HELD = "probe:held";
    /** Enters the node: counts it, and (while the hold names this process) marks it held; returns 1 if held. */
    private static final String ENTER = """
            redis.call('SADD', KEYS[1], ARGV[1])
            local n = redis.call('SCARD', KEYS[1])
            if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end
            if redis.call('GET', KEYS[3]) == ARGV[2] then
              redis.call('SADD', KEYS[4], ARGV[1])
              return 1
            end
            return 0""";
    private static final Map<String, RedisClient> CLIENTS = new ConcurrentHashMap<>();

    @Override public String id() { return "probe"; }
    @Override public String title() { return "Concurrency probe"; }
    @Override public String description() { return "Counts how many of its runs execute at once (tests)"; }
    @Override public String defaultQueue() { return "probe"; }
    @Override public Map<String, Object> defaultInput() { return Map.of("millis", 0, "redisPort", 0); }
    @Override public RunPolicy policy() { return RunPolicy.of("max-concurrent", Integer.toString(LIMIT)); }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("work", (state, config) -> {
                    int port = Integer.parseInt(String.valueOf(state.value("redisPort").orElse(0)));
                    var redis = CLIENTS.computeIfAbsent("p" + port, k -> RedisClient.create("127.0.0.1", port));
                    var pid = Long.toString(ProcessHandle.current().pid());
                    var member = pid + ":" + config.threadId().orElse("?");
                    var held = redis.eval(ENTER, List.of(INFLIGHT, MAX, HOLD, HELD), List.of(member, pid));
                    try {
                        if (Long.valueOf(1).equals(held)) Cancellation.from(config).sleep(Duration.ofMinutes(10));
                        long millis = Long.parseLong(String.valueOf(state.value("millis").orElse(0)));
                        if (millis > 0) Cancellation.from(config).sleep(Duration.ofMillis(millis));
                    } finally {
                        redis.srem(INFLIGHT, member);
                    }
                    return CompletableFuture.completedFuture(Map.of());
                })
                .addEdge(START, "work")
                .addEdge("work", END);
    }
}
