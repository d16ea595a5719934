package dev.tether.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.CheckpointInfo;
import dev.tether.engine.CheckpointStore;
import dev.tether.json.Json;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import redis.clients.jedis.UnifiedJedis;
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
 * run already recorded terminal is refused by the script.
 *
 * <p>Written behind: {@link #put} only queues a checkpoint, so a run's thread never waits on Redis
 * (a stalled server cannot hold a node, nor a cancel). The queue is written {@link RunPublisher#HOLD}
 * later, in one script call per run, and always before the run's progress is ({@link #flush}, called
 * first by the publisher): a view never shows a run RUNNING in a node whose predecessor's checkpoint is not in Redis.
 * A run's end settles what is still queued: a completed run's never reach Redis (a short run costs
 * no checkpoint write at all), any other end's are carried by the script that records the end
 * ({@link #forTheEnd}), in the same step. What a killed worker had queued, at most the last
 * {@code HOLD} of its runs' checkpoints, is lost with it: a resume runs those nodes again. A write
 * that fails (Redis away) keeps the run's newest checkpoint for the next one, with a warning.
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
    /** Runs whose last checkpoint write failed: warned about once until one gets through. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** Runs that ended here with checkpoints still queued: taken by the write of their end. */
    private final ConcurrentHashMap<String, List<String>> handedOver = new ConcurrentHashMap<>();
    /** Runs here whose rollback was asked, until they end: nothing more of theirs is queued. */
    private final Set<String> rolledBack = ConcurrentHashMap.newKeySet();
    /** Whether a flush is scheduled; set by the first queued checkpoint, cleared by that flush. */
    private final java.util.concurrent.atomic.AtomicBoolean flushDue = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.function.Consumer<Runnable> later;
    /** Held by a flush pass: one at a time, or two would write the same entries twice. */
    private final Object flushing = new Object();

    /** A store that only reads and copies (a view's): nothing is ever queued in it. */
    RedisCheckpointStore(UnifiedJedis redis, Keys keys, Duration keepFor, Limits limits) {
        this(redis, keys, keepFor, limits, null);
    }

    /**
     * @param later runs a {@link #flush} {@link RunPublisher#HOLD} from now, off the caller's thread (the
     *              worker's maintenance thread, where the publisher flushes too); null: only explicit flushes
     */
    RedisCheckpointStore(UnifiedJedis redis, Keys keys, Duration keepFor, Limits limits, java.util.function.Consumer<Runnable> later) {
        this.redis = redis;
        this.keys = keys;
        this.keepFor = keepFor;
        this.limits = limits;
        this.later = later;
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

    /** Queues the checkpoint; it reaches Redis with the next {@link #flush} or with the run's end. */
    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) {
        var runId = thread(config);
        var queued = new Queued(checkpoint, System.currentTimeMillis());
        while (true) {
            var p = pending.computeIfAbsent(runId, k -> new Pending());
            synchronized (p) {
                if (p.closed) { // ended (or written out) a moment ago: a fresh queue
                    pending.remove(runId, p);
                    continue;
                }
                if (rolledBack.contains(runId)) { // checked under the queue's monitor, which rollbackAsked's close takes after
                    p.closed = true;
                    pending.remove(runId, p);
                    return RunnableConfig.builder(config).checkPointId(checkpoint.getId()).build();
                }
                p.entries.addLast(queued);
                while (p.entries.size() > limits.perRun()) p.entries.removeFirst();
                break;
            }
        }
        if (later != null && flushDue.compareAndSet(false, true)) later.accept(this::flush);
        return RunnableConfig.builder(config).checkPointId(checkpoint.getId()).build();
    }

    /**
     * A rollback was asked of a run here (its worker saw the record with the cancel): its queued checkpoints go now,
     * and any it makes while it stops are dropped, so none is written after the rollback, even into a Redis that lost
     * the record. Its finish deletes those already written, as the record says.
     */
    @Override
    public void rollbackAsked(String runId) {
        rolledBack.add(runId);
        close(runId, true);
    }

    /** A run's checkpoints not yet in Redis, oldest first; its monitor guards it. Closed once it is discarded or handed to the run's end. */
    private static final class Pending {
        final java.util.ArrayDeque<Queued> entries = new java.util.ArrayDeque<>();
        boolean closed;
    }

    /** One queued checkpoint, encoded once (by a flush or by the run's end, whichever comes first). */
    private final class Queued {
        private final Checkpoint checkpoint;
        private final long atMillis;
        private String entry;
        private boolean unfit;

        Queued(Checkpoint checkpoint, long atMillis) {
            this.checkpoint = checkpoint;
            this.atMillis = atMillis;
        }

        /** The stored form, or null for a state Redis cannot keep (warned once per run). */
        synchronized String entry(String runId) {
            if (entry == null && !unfit) {
                try {
                    entry = RedisCheckpointStore.entry(checkpoint, Instant.ofEpochMilli(atMillis));
                } catch (IllegalArgumentException e) {
                    unfit = true;
                    if (warned.add(runId)) LOG.warn("run {}: checkpoint after {} not stored (Redis keeps JSON states only): {}",
                            runId, checkpoint.getNodeId(), e.getMessage());
                }
            }
            return entry;
        }
    }

    /** What a run's end carries into Redis with it: its queued checkpoints, with the bounds the list keeps. */
    public record Carried(List<String> entries, int perRun, long bytesPerRun) {
        public static final Carried NONE = new Carried(List.of(), 0, 0);
    }

    /**
     * Writes every run's queued checkpoints, one script call per run; stops at the first failure (the
     * others would wait as long) and tries again a hold later. Never throws.
     */
    void flush() {
        synchronized (flushing) {
            flushDue.set(false);
            for (var e : pending.entrySet()) {
                if (!write(e.getKey(), e.getValue())) {
                    if (later != null && flushDue.compareAndSet(false, true)) later.accept(this::flush);
                    return;
                }
            }
        }
    }

    /** @return false when Redis could not take the write */
    private boolean write(String runId, Pending p) {
        List<Queued> batch;
        synchronized (p) {
            if (p.closed || p.entries.isEmpty()) return true;
            batch = List.copyOf(p.entries);
        }
        var entries = encoded(runId, batch);
        try {
            if (!entries.isEmpty()) {
                var args = new ArrayList<String>(entries.size() + 3);
                args.add(Integer.toString(limits.perRun()));
                args.add(Long.toString(limits.bytesPerRun()));
                args.add(Long.toString(keepFor.toMillis()));
                args.addAll(entries);
                var n = Script.CHECKPOINT.eval(redis, List.of(keys.checkpoints(runId), keys.checkpointBytes(runId), keys.run(runId)), args);
                if (n instanceof Long l && l < 0) LOG.debug("run {}: checkpoints refused, the run is recorded terminal", runId);
            }
            if (failing.remove(runId)) LOG.info("run {}: checkpoints stored again", runId);
            synchronized (p) { // written (or refused for good): they leave the queue, which goes once empty
                if (!p.closed) {
                    for (int i = 0; i < batch.size() && p.entries.peekFirst() == batch.get(i); i++) p.entries.removeFirst();
                    if (p.entries.isEmpty()) {
                        p.closed = true;
                        pending.remove(runId, p);
                    }
                }
            }
            return true;
        } catch (RuntimeException e) { // Redis away, or its scripts missing: never the progress write's failure too
            synchronized (p) {
                if (!p.closed && p.entries.size() > 1) {
                    var newest = p.entries.peekLast();
                    p.entries.clear();
                    p.entries.add(newest);
                }
            }
            if (failing.add(runId)) { // once per run until a write gets through: it is tried again every hold
                LOG.warn("run {}: checkpoints not stored yet ({}); its newest is kept for the next write", runId, Text.oneLine(e.getMessage()));
            }
            return false;
        }
    }

    private List<String> encoded(String runId, List<Queued> batch) {
        var out = new ArrayList<String>(batch.size());
        for (var q : batch) {
            var entry = q.entry(runId);
            if (entry != null) out.add(entry);
        }
        return out;
    }

    /**
     * The run has ended here: what it still has queued, for the script that records its end to write in
     * the same step (nothing once it is taken; nothing for a discarded run's).
     */
    Carried forTheEnd(String runId) {
        var entries = handedOver.remove(runId);
        return entries == null ? Carried.NONE : new Carried(entries, limits.perRun(), limits.bytesPerRun());
    }

    /** Closes the run's queue: its checkpoints, or none when {@code discard}. */
    private List<Queued> close(String runId, boolean discard) {
        var p = pending.remove(runId);
        if (p == null) return List.of();
        synchronized (p) {
            p.closed = true;
            var left = discard ? List.<Queued>of() : List.copyOf(p.entries);
            p.entries.clear();
            return left;
        }
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
     * No round trip here: the finish script settles a run's checkpoints in the same step that records
     * its end. What is still queued is discarded with a completed or rolled-back run, else handed to
     * that script ({@link #forTheEnd}), which writes it unless the end was refused. A completed or
     * rolled-back run's stored checkpoints go; any other end keeps them, expiring with the run's
     * record from then on. That script is retried until it gets through, so a run that completed while
     * Redis was away loses them too, and a flush that reaches Redis after the end is refused.
     */
    @Override
    public void ended(String runId, boolean discard, Set<String> live) {
        boolean rolled = rolledBack.remove(runId);
        rolledBack.retainAll(live); // a rollback asked as its run was ending, after that run's own end came here
        var left = encoded(runId, close(runId, discard || rolled));
        if (!left.isEmpty()) handedOver.put(runId, left);
        warned.remove(runId);
        failing.remove(runId);
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
        close(runId, true);
        redis.del(keys.checkpoints(runId), keys.checkpointBytes(runId));
    }
}
