package dev.tether.redis;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelMode;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;
import dev.tether.store.SqliteCheckpointStore;
import dev.tether.store.TetherDatabase;
import org.HdrHistogram.Histogram;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.bsc.langgraph4j.checkpoint.MemorySaver;
import org.bsc.langgraph4j.state.AgentState;

import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * What checkpoints cost: one checkpoint write (the call LangGraph4j makes after every node) in each
 * store, for a small state and a 100 KiB one (Redis: the call queues it; its write is timed with it); and resume latency, from the resume call to the first
 * node of the new attempt running, for a run whose checkpoints hold 100 KiB each.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.CheckpointBench</pre>
 */
public final class CheckpointBench {
    private static final int SMALL_WRITES = 5_000, LARGE_WRITES = 1_000, RESUMES = 30;

    public static void main(String[] args) throws Exception {
        var dir = Files.createTempDirectory("tether-checkpoint-bench");
        var small = state(200);
        var large = state(100 * 1024);
        System.out.printf("states: small %d B, large %d B (JSON)%n", json(small), json(large));
        try (var db = TetherDatabase.open(dir.resolve("tether.db"));
             var server = RealRedis.start();
             var redis = RedisSettings.parse(server.uri()).client("bench", 4)) {
            var sqlite = new SqliteCheckpointStore(db, new SqliteCheckpointStore.Limits(100_000, Long.MAX_VALUE, 100_000));
            var inRedis = new RedisCheckpointStore(redis, Keys.standard(), Duration.ofHours(1),
                    new RedisCheckpointStore.Limits(100_000, Long.MAX_VALUE));
            for (var store : Map.of("memory", (BaseCheckpointSaver) new MemorySaver(), "sqlite", sqlite, "redis", inRedis).entrySet()) {
                report(store.getKey(), "small", writes(store.getValue(), small, SMALL_WRITES));
                report(store.getKey(), "100 KiB", writes(store.getValue(), large, LARGE_WRITES));
            }
            resumeLatency(new SqliteCheckpointStore(TetherDatabase.open(dir.resolve("resume.db")), SqliteCheckpointStore.Limits.DEFAULT));
        }
        System.exit(0);
    }

    private static Map<String, Object> state(int bytes) {
        var m = new LinkedHashMap<String, Object>();
        m.put("title", "The Quiet Engine");
        m.put("chapters", 3);
        m.put("seed", 42L);
        m.put("text", "x".repeat(Math.max(0, bytes - 60)));
        return m;
    }

    private static int json(Map<String, Object> state) {
        return dev.tether.json.Json.write(state).length();
    }

    private static Histogram writes(BaseCheckpointSaver saver, Map<String, Object> state, int n) throws Exception {
        var h = new Histogram(3);
        int warm = n / 5;
        for (int i = 0; i < n + warm; i++) {
            var config = RunnableConfig.builder().threadId("bench-" + (i / 50)).build(); // 50 checkpoints per run
            var cp = Checkpoint.builder().nodeId("node-" + i).nextNodeId("next").state(state).build();
            long t = System.nanoTime();
            saver.put(config, cp);
            if (saver instanceof RedisCheckpointStore r) r.flush(); // written behind in a worker: timed here with its write
            if (i >= warm) h.recordValue(System.nanoTime() - t);
        }
        return h;
    }

    private static void report(String store, String size, Histogram h) {
        System.out.printf("checkpoint write %-7s %-8s p50 %8.1f µs  p99 %8.1f µs  mean %8.1f µs%n", store, size,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMean() / 1e3);
    }

    /** A ten-node graph whose every node adds 100 KiB to the state; node six waits to be cancelled (first attempt only). */
    private static void resumeLatency(SqliteCheckpointStore store) throws Exception {
        var blocking = new java.util.concurrent.atomic.AtomicBoolean(true);
        GraphDefinition graph = new GraphDefinition() {
            public String id() { return "ten"; }
            public String title() { return "ten"; }
            public String description() { return "resume bench"; }

            public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
                var g = new StateGraph<>(AgentState::new);
                String prev = START;
                for (int i = 1; i <= 10; i++) {
                    var name = "n" + i;
                    int index = i;
                    g.addNode(name, node_async(s -> {
                        if (index == 6 && blocking.get()) Cancellation.current().sleep(Duration.ofMinutes(5));
                        return Map.of(name, "y".repeat(100 * 1024));
                    }));
                    g.addEdge(prev, name);
                    prev = name;
                }
                g.addEdge(prev, END);
                return g;
            }
        };
        var registry = new RunRegistry();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1).withCheckpointSaver(store), GraphCatalog.of(graph), registry);
        var h = new Histogram(3);
        for (int i = 0; i < RESUMES + 5; i++) {
            blocking.set(true);
            var id = engine.submit("ten", null, Map.of()).runId();
            while (!"n6".equals(registry.get(id).orElseThrow().currentNode())) Thread.sleep(1);
            engine.cancel(id, dev.tether.run.CancelRequest.DEFAULT);
            engine.awaitTerminal(id, Duration.ofSeconds(10)).orElseThrow();
            blocking.set(false);
            var started = new CountDownLatch(1);
            var holder = new String[1];
            try (var ignored = registry.listen(e -> {
                if (e instanceof RunEvent.NodeStarted n && n.runId().equals(holder[0])) started.countDown();
            })) {
                long t = System.nanoTime();
                synchronized (holder) {
                    holder[0] = engine.resume(id, null).runId();
                }
                if (!started.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("resume did not start");
                if (i >= 5) h.recordValue(System.nanoTime() - t);
                engine.awaitTerminal(holder[0], Duration.ofSeconds(30)).orElseThrow();
            }
        }
        System.out.printf("resume latency (sqlite, 6 checkpoints of 100-500 KiB, call -> next node running): p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        engine.shutdown(Duration.ofSeconds(5));
    }
}
