package dev.tether.redis;

import dev.tether.run.RunEvent;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XPendingParams;

import java.time.Instant;
import java.util.LinkedHashMap;

/**
 * Finds workers whose heartbeat expired and settles what they held: their runs become LOST
 * everywhere (through the state machine), their pending stream entries are requeued (runs that never
 * started) or dropped (runs that did; policy {@link LostRunPolicy#FAIL} loses those too). Every participant
 * runs it every 250 ms; a short lock makes one of them do the work.
 */
final class LostWorkerSweep {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LostWorkerSweep.class);

    static final java.time.Duration EVERY = java.time.Duration.ofMillis(250);
    private final UnifiedJedis redis;
    private final RunStore store;
    private final Keys keys;
    private final String me;
    private final LostRunPolicy policy;

    LostWorkerSweep(UnifiedJedis redis, RunStore store, String me, LostRunPolicy policy) {
        this.redis = redis;
        this.store = store;
        this.keys = store.keys();
        this.me = me;
        this.policy = policy;
    }

    /** @return how many lost workers were settled */
    int sweep() {
        if (!"OK".equals(redis.set(keys.sweepLock(), me, SetParams.setParams().nx().px(EVERY.toMillis() - 20)))) return 0;
        int settled = 0;
        for (var name : redis.smembers(keys.workers())) {
            if (redis.exists(keys.worker(name))) continue;
            settle(name);
            settled++;
        }
        return settled;
    }

    private void settle(String name) {
        int lost = 0, requeued = 0;
        for (var runId : redis.smembers(keys.workerRuns(name))) {
            var run = store.get(runId).orElse(null);
            if (run == null || run.isTerminal()) continue;
            if (run.status() == RunStatus.QUEUED && policy == LostRunPolicy.REQUEUE) continue; // requeued below
            var next = RunStateMachine.apply(run, new RunEvent.Lost(runId, "worker '" + name + "' stopped answering", Instant.now()));
            if (next != null && store.put(next) == RunStore.Put.ACCEPTED) lost++;
        }
        for (var queue : redis.smembers(keys.queues())) {
            var stream = keys.queue(queue);
            if (!redis.exists(stream)) continue;
            var pending = redis.xpending(stream, Keys.GROUP, XPendingParams.xPendingParams().count(1_000).consumer(name));
            for (var p : pending) {
                var entries = redis.xrange(stream, p.getID(), p.getID(), 1);
                if (!entries.isEmpty()) {
                    var fields = entries.getFirst().getFields();
                    var run = fields.get("id") == null ? null : store.get(fields.get("id")).orElse(null);
                    if (run != null && run.status() == RunStatus.QUEUED && policy == LostRunPolicy.REQUEUE) {
                        redis.xadd(stream, XAddParams.xAddParams(), new LinkedHashMap<>(fields));
                        requeued++;
                    } else if (run != null && !run.isTerminal()) {
                        var next = RunStateMachine.apply(run, new RunEvent.Lost(run.runId(), "worker '" + name + "' stopped answering", Instant.now()));
                        if (next != null && store.put(next) == RunStore.Put.ACCEPTED) lost++;
                    }
                }
                redis.xack(stream, Keys.GROUP, p.getID());
            }
            try {
                redis.xgroupDelConsumer(stream, Keys.GROUP, name);
            } catch (RuntimeException ignored) { // no such group any more
            }
        }
        redis.del(keys.workerRuns(name));
        redis.srem(keys.workers(), name);
        LOG.warn("worker '{}' is lost: {} runs LOST, {} queued jobs requeued", name, lost, requeued);
    }
}
