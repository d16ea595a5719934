package dev.tether.redis;

import dev.tether.engine.Job;
import dev.tether.engine.RunRequest;
import dev.tether.engine.RunSource;
import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A worker's supply of jobs: its queues' streams, read through the consumer group (each entry goes
 * to one worker; it stays pending until acknowledged when the run ends: at-least-once). A run
 * cancelled while queued is skipped here and never starts.
 */
final class RedisRunSource implements RunSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisRunSource.class);
    static final long DEAD_LETTERS_KEPT = 10_000;

    private final UnifiedJedis redis;
    private final RunStore store;
    private final Keys keys;
    private final String worker;
    private final List<String> queues;
    private final Predicate<String> knownGraph;
    private final Connectivity connectivity;
    private volatile boolean closed;

    RedisRunSource(UnifiedJedis redis, RunStore store, String worker, List<String> queues, Predicate<String> knownGraph,
                   Connectivity connectivity) {
        this.redis = redis;
        this.store = store;
        this.keys = store.keys();
        this.worker = worker;
        this.queues = List.copyOf(queues);
        this.knownGraph = knownGraph;
        this.connectivity = connectivity;
    }

    /** Creates the consumer groups (idempotent; also after a Redis restart lost them). */
    void ensureGroups() {
        for (var q : queues) {
            try {
                redis.xgroupCreate(keys.queue(q), Keys.GROUP, new StreamEntryID(0, 0), true);
            } catch (JedisDataException e) {
                if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) throw e;
            }
            redis.sadd(keys.queues(), q);
        }
    }

    @Override
    public Job poll(Duration timeout) throws InterruptedException {
        if (closed) return null;
        var streams = new LinkedHashMap<String, StreamEntryID>();
        for (var q : queues) streams.put(keys.queue(q), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
        List<Map.Entry<String, List<StreamEntry>>> read;
        try {
            read = redis.xreadGroup(Keys.GROUP, worker,
                    XReadGroupParams.xReadGroupParams().count(1).block((int) Math.max(1, Math.min(timeout.toMillis(), 1_000))), streams);
            connectivity.up();
        } catch (JedisConnectionException e) {
            connectivity.down(e);
            Thread.sleep(Math.min(timeout.toMillis(), connectivity.backoffMillis()));
            return null;
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                ensureGroups();
                return null;
            }
            throw e;
        }
        if (read == null) return null;
        for (var stream : read) {
            for (var entry : stream.getValue()) {
                var job = accept(stream.getKey(), entry);
                if (job != null) return job;
            }
        }
        return null;
    }

    /** A job to run, or null when the entry was skipped (cancelled, already ended) or dead-lettered. */
    private Job accept(String stream, StreamEntry entry) {
        var f = entry.getFields();
        RunRequest request;
        try {
            var runId = require(f, "id");
            var graph = require(f, "graph");
            if (!knownGraph.test(graph)) throw new IllegalArgumentException("unknown graph '" + graph + "' on this worker");
            @SuppressWarnings("unchecked")
            Map<String, Object> input = f.containsKey("input") ? Json.read(f.get("input"), Map.class) : Map.of();
            var submitted = f.containsKey("submittedAt") ? Instant.ofEpochMilli(Long.parseLong(f.get("submittedAt"))) : Instant.now();
            request = new RunRequest(runId, graph, require(f, "queue"), input, submitted);
        } catch (RuntimeException e) {
            deadLetter(stream, entry, e.getMessage());
            return null;
        }
        var claim = store.claim(request.runId(), worker);
        if (claim.terminal()) { // cancelled while queued (or swept): never starts
            release(stream, entry.getID(), request.runId());
            return null;
        }
        if (claim.cancelRequested()) {
            store.get(request.runId()).ifPresent(remote -> {
                var cancelled = RunStateMachine.apply(remote, new RunEvent.CancelRequested(request.runId(), Instant.now()));
                if (cancelled != null) store.put(cancelled);
            });
            release(stream, entry.getID(), request.runId());
            return null;
        }
        var id = entry.getID();
        return new Job() {
            @Override
            public RunRequest request() {
                return request;
            }

            @Override
            public void finished(RunSnapshot terminal) {
                try (var pipe = redis.pipelined()) {
                    pipe.xack(stream, Keys.GROUP, id);
                    pipe.srem(keys.workerRuns(worker), request.runId());
                    pipe.sync();
                } catch (JedisConnectionException e) {
                    // stays pending; the sweep or a restart of this worker settles it
                    LOG.warn("could not acknowledge run {}: {}", request.runId(), e.getMessage());
                }
            }
        };
    }

    private void release(String stream, StreamEntryID id, String runId) {
        ack(stream, id);
        redis.srem(keys.workerRuns(worker), runId);
    }

    private void ack(String stream, StreamEntryID id) {
        redis.xack(stream, Keys.GROUP, id);
    }

    private void deadLetter(String stream, StreamEntry entry, String reason) {
        LOG.warn("dead-lettering entry {} of {}: {}", entry.getID(), stream, reason);
        var fields = new LinkedHashMap<String, String>(entry.getFields());
        fields.put("reason", String.valueOf(reason));
        fields.put("stream", stream);
        fields.put("entry", entry.getID().toString());
        fields.put("worker", worker);
        redis.xadd(keys.deadLetters(), XAddParams.xAddParams().maxLen(DEAD_LETTERS_KEPT).approximateTrimming(), fields);
        ack(stream, entry.getID());
        var runId = entry.getFields().get("id");
        if (runId != null) { // the run will never execute: say so instead of leaving it QUEUED forever
            store.get(runId).filter(r -> !r.isTerminal()).ifPresent(r -> {
                var lost = RunStateMachine.apply(r, new RunEvent.Lost(runId, "dead-lettered: " + reason, Instant.now()));
                if (lost != null) store.put(lost);
            });
        }
    }

    private static String require(Map<String, String> f, String key) {
        var v = f.get(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("entry has no '" + key + "'");
        return v;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
