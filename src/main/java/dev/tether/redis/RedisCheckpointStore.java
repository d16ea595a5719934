package dev.tether.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.CheckpointInfo;
import dev.tether.engine.CheckpointStore;
import dev.tether.json.Json;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checkpoints in Redis, so that any worker can continue a run another one started (a LOST run
 * resumes elsewhere). One list per run, oldest first; each entry is JSON: id, node, next node,
 * time, the state as JSON text and its checksum. States are JSON only: a worker never deserialises
 * Java objects that someone with write access to the server could have put there.
 *
 * <p>Bounds: per run a count and a byte total (the oldest go first, {@code checkpoint.lua}); the
 * lists expire with the run's record ({@code keepFor}, refreshed on every write). A checkpoint of a
 * run already recorded terminal is refused by the script. A write that fails (Redis down) is
 * skipped with a warning: the run goes on, with one checkpoint fewer to resume from.
 *
 * <p>A write is made on a virtual thread of its own and the run's thread waits for it through the
 * run's {@link dev.tether.api.Cancellation}: a cancel ends the wait at once. Otherwise a run whose
 * write waits on a stalled server (up to the 5 s socket timeout) would ignore its cancel, and be
 * judged STUCK, for Tether's own sake. A write abandoned so is dropped by the server if the run is
 * recorded ended by the time it runs.
 */
public final class RedisCheckpointStore implements CheckpointStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisCheckpointStore.class);

    public record Limits(int perRun, long bytesPerRun) {
        public static final Limits DEFAULT = new Limits(1_000, 64L * 1024 * 1024);
    }

    private final UnifiedJedis redis;
    private final Keys keys;
    private final Duration keepFor;
    private final Limits limits;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.ExecutorService WRITES =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tether-checkpoint-write-", 0).factory());

    RedisCheckpointStore(UnifiedJedis redis, Keys keys, Duration keepFor, Limits limits) {
        this.redis = redis;
        this.keys = keys;
        this.keepFor = keepFor;
        this.limits = limits;
    }

    @Override
    public String where() {
        return "redis";
    }

    /** A shared server: a Java-serialised state is never written here, nor decoded to be refused. */
    @Override
    public boolean keepsJavaStates() {
        return false;
    }

    private static String thread(RunnableConfig config) {
        return config.threadId().orElse(THREAD_ID_DEFAULT);
    }

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) {
        var runId = thread(config);
        String entry;
        try {
            entry = entry(checkpoint, Instant.now());
        } catch (IllegalArgumentException e) {
            if (warned.add(runId)) LOG.warn("run {}: checkpoint after {} not stored (Redis keeps JSON states only): {}",
                    runId, checkpoint.getNodeId(), e.getMessage());
            return config;
        }
        var write = WRITES.submit(() -> Script.CHECKPOINT.eval(redis,
                List.of(keys.checkpoints(runId), keys.checkpointBytes(runId), keys.run(runId)),
                List.of(entry, Integer.toString(limits.perRun()), Long.toString(limits.bytesPerRun()), Long.toString(keepFor.toMillis()))));
        try {
            var n = dev.tether.api.Cancellation.from(config).await(write); // a cancel ends the wait (and the run) now
            if (n instanceof Long l && l < 0) LOG.debug("run {}: checkpoint after {} refused, the run is recorded terminal", runId, checkpoint.getNodeId());
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof JedisException)) throw new IllegalStateException(e.getCause());
            LOG.warn("run {}: checkpoint after {} not stored: {}", runId, checkpoint.getNodeId(), e.getCause().getMessage());
        }
        return RunnableConfig.builder(config).checkPointId(checkpoint.getId()).build();
    }

    static String entry(Checkpoint c, Instant at) {
        var enc = CheckpointCodec.encode(c.getState(), false);
        var m = new LinkedHashMap<String, Object>();
        m.put("id", c.getId());
        m.put("node", c.getNodeId());
        m.put("next", c.getNextNodeId());
        m.put("at", at.toEpochMilli());
        m.put("crc", enc.checksum());
        m.put("state", new String(enc.bytes(), StandardCharsets.UTF_8));
        return Json.write(m);
    }

    private record Entry(CheckpointInfo info, Checkpoint checkpoint, String raw) {}

    /** One stored entry, decoded, or described with why it cannot be used. */
    private static Entry parse(String raw, int index) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(raw);
        } catch (Exception e) {
            return new Entry(new CheckpointInfo("#" + index, "?", "?", null, raw.length(), "not JSON: " + clip(e.getMessage())), null, raw);
        }
        var id = n.path("id").asText("#" + index);
        var node = n.path("node").asText("?");
        var next = n.path("next").asText("?");
        var at = n.path("at").canConvertToLong() ? Instant.ofEpochMilli(n.path("at").asLong()) : null;
        try {
            if (!n.path("state").isTextual() || !n.path("crc").canConvertToLong()) throw new IllegalArgumentException("no state or checksum");
            var state = CheckpointCodec.decode(CheckpointCodec.Format.JSON, n.path("state").asText().getBytes(StandardCharsets.UTF_8),
                    n.path("crc").asLong());
            var cp = Checkpoint.builder().id(id).nodeId(node).nextNodeId(next).state(state).build();
            return new Entry(new CheckpointInfo(id, node, next, at, raw.length(), null), cp, raw);
        } catch (RuntimeException e) {
            return new Entry(new CheckpointInfo(id, node, next, at, raw.length(), clip(e.getMessage())), null, raw);
        }
    }

    private static String clip(String s) {
        if (s == null) return "unreadable";
        var one = s.replace('\n', ' ');
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }

    private List<Entry> entries(String runId, Duration patience) {
        var raw = retrying(() -> redis.lrange(keys.checkpoints(runId), 0, -1), patience);
        var out = new ArrayList<Entry>(raw.size());
        for (int i = 0; i < raw.size(); i++) out.add(parse(raw.get(i), i));
        return out;
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        var all = entries(thread(config), ON_A_RUN);
        var out = new ArrayList<Checkpoint>();
        for (int i = all.size() - 1; i >= 0; i--) if (all.get(i).checkpoint() != null) out.add(all.get(i).checkpoint());
        return out;
    }

    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        var all = entries(thread(config), ON_A_RUN);
        var wanted = config.checkPointId().orElse(null);
        for (int i = all.size() - 1; i >= 0; i--) {
            var e = all.get(i);
            if (wanted != null && !wanted.equals(e.info().id())) continue;
            if (e.checkpoint() == null) {
                throw new IllegalStateException("checkpoint after node '" + e.info().node() + "' of run " + thread(config)
                        + " is unreadable: " + e.info().error());
            }
            return Optional.of(e.checkpoint());
        }
        return Optional.empty();
    }

    @Override
    public Tag release(RunnableConfig config) {
        discard(thread(config));
        return new Tag(thread(config), List.of());
    }

    @Override
    public List<CheckpointInfo> describe(String runId) {
        return entries(runId, FOR_A_CALLER).stream().map(Entry::info).toList();
    }

    @Override
    public CheckpointInfo fork(String toRunId, dev.tether.run.ResumeOf from) {
        var fromRunId = from.runId();
        var all = entries(fromRunId, FOR_A_CALLER);
        var chosen = CheckpointStore.choose(all.stream().map(Entry::info).toList(), from);
        var copy = new ArrayList<String>();
        long bytes = 0;
        for (var e : all) {
            copy.add(e.raw());
            bytes += e.raw().length();
            if (e.info().id().equals(chosen.id())) break;
        }
        final long total = bytes;
        retrying(() -> { // all or nothing, so a retry after a lost reply writes the same list again
            HomeNode.transaction(redis, keys.checkpoints(toRunId), tx -> {
                tx.del(keys.checkpoints(toRunId));
                tx.rpush(keys.checkpoints(toRunId), copy.toArray(String[]::new));
                tx.set(keys.checkpointBytes(toRunId), Long.toString(total), SetParams.setParams().px(keepFor.toMillis()));
                tx.pexpire(keys.checkpoints(toRunId), keepFor.toMillis());
            });
            return null;
        }, FOR_A_CALLER);
        return chosen;
    }

    /**
     * Nothing to do in Redis: the finish script settles a run's checkpoints in the same step that
     * records its end. A completed or rolled-back run's go; any other end keeps them, expiring with the
     * run's record from then on. That script is retried until it gets through, so a run that completed
     * while Redis was away loses them too, and a write abandoned before the end cannot bring them back
     * (the checkpoint script refuses it once the end is recorded). Done here, it cost every cancelled
     * run a round trip on its way to CANCELLED.
     */
    @Override
    public void ended(String runId, boolean discard, Set<String> live) {
        warned.remove(runId);
    }

    /**
     * How long a run's own read (a resume's checkpoint, on the run's thread, before its first node)
     * waits for Redis: through any restart. A worker out of contact stops its runs at its fence
     * timeout (10 s by default), and a cancel or shutdown interrupts the wait, so this bound only
     * ends a read whose connection fails while the worker's heartbeat gets through. One second (what
     * it was) failed a resume that started as Redis restarted (down 2.2 s) in the Redis soak.
     */
    static final Duration ON_A_RUN = Duration.ofMinutes(1);
    /** How long a caller waits for a read or a copy (checkpoints, resume) before it hears that Redis is away. */
    static final Duration FOR_A_CALLER = Duration.ofSeconds(5);

    /**
     * Rides out an outage (a reconnect, a restart) for up to {@code patience}: tried again after 100 ms,
     * doubling to 1 s. An interrupt (a cancel, the fence, a shutdown) ends the wait at once.
     */
    private static <T> T retrying(java.util.function.Supplier<T> call, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = 100;
        while (true) {
            try {
                return call.get();
            } catch (redis.clients.jedis.exceptions.JedisException e) {
                if (!Connectivity.lostContact(e) || System.nanoTime() + pause * 1_000_000L > deadline) throw e;
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(1_000, pause * 2);
            }
        }
    }

    /** Marks a run for rollback: its checkpoints go when it has stopped (at once if it already has). */
    void rollback(String runId, boolean alreadyEnded) {
        redis.set(keys.rollback(runId), "1", SetParams.setParams().px(CancelRequests.KEEP.toMillis()));
        if (alreadyEnded) discard(runId);
    }

    void discard(String runId) {
        redis.del(keys.checkpoints(runId), keys.checkpointBytes(runId));
    }
}
