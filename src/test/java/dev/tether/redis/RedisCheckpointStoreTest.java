package dev.tether.redis;

import dev.tether.engine.CheckpointInfo;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds and the fence of checkpoints in a real redis-server. */
@Tag("process")
class RedisCheckpointStoreTest {
    static RealRedis server;
    static redis.clients.jedis.RedisClient redis;

    @BeforeAll
    static void start() throws Exception {
        server = RealRedis.start();
        redis = RedisSettings.parse(server.uri()).client("checkpoint-test", 2);
    }

    @AfterAll
    static void stop() throws Exception {
        redis.close();
        server.close();
    }

    private static void put(RedisCheckpointStore store, String runId, String node, int bytes) {
        store.put(RunnableConfig.builder().threadId(runId).build(),
                Checkpoint.builder().nodeId(node).nextNodeId("next").state(Map.of("text", "x".repeat(bytes))).build());
    }

    @Test
    void aRunKeepsItsNewestCheckpointsWithinItsCountAndBytes() {
        var store = new RedisCheckpointStore(redis, Keys.standard(), Duration.ofMinutes(5), new RedisCheckpointStore.Limits(3, 10_000));
        for (var node : new String[]{"a", "b", "c", "d", "e"}) put(store, "counted", node, 10);
        assertThat(store.describe("counted")).extracting(CheckpointInfo::node).containsExactly("c", "d", "e");

        for (var node : new String[]{"a", "b", "c"}) put(store, "sized", node, 4_000); // three of ~4 KB > 10,000 bytes
        assertThat(store.describe("sized")).extracting(CheckpointInfo::node).containsExactly("b", "c");
        put(store, "huge", "a", 20_000); // larger than the bound alone: the newest always stays
        assertThat(store.describe("huge")).extracting(CheckpointInfo::node).containsExactly("a");
        assertThat(redis.pttl(Keys.standard().checkpoints("sized"))).isPositive();
    }

    @Test
    void nothingIsWrittenForARunRecordedTerminal() {
        var store = new RedisCheckpointStore(redis, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
        put(store, "ended", "a", 10);
        redis.hset(Keys.standard().run("ended"), "t", "1");
        put(store, "ended", "b", 10);
        assertThat(store.describe("ended")).extracting(CheckpointInfo::node).containsExactly("a");
    }
}
