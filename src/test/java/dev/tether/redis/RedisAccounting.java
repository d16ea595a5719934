package dev.tether.redis;

import dev.tether.testing.Hang;

import org.awaitility.core.ConditionTimeoutException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The end of a fault test: nothing of the runs is left pending in Redis. Every run record ended,
 * no run is active, no job is pending (delivered, unacknowledged) or unread on its queue, no lock is
 * held, the live workers hold no run, and only they are listed, each with its heartbeat.
 */
final class RedisAccounting {
    private RedisAccounting() {}

    static void assertNothingPending(RealRedis server, Collection<String> queues, Collection<String> liveWorkers) {
        assertNothingPending(server, Keys.standard(), queues, liveWorkers);
    }

    /** As above, for the keys of one layout (another prefix, a cluster's hash-tagged one) on the server holding them. */
    static void assertNothingPending(RealRedis server, Keys k, Collection<String> queues, Collection<String> liveWorkers) {
        try (var r = server.admin()) {
            awaitEmpty("active runs", () -> new ArrayList<>(r.smembers(k.active())));
            for (var q : queues) {
                awaitEmpty("jobs pending on " + q, () -> r.xpending(k.queue(q), Keys.GROUP).getTotal() == 0 ? List.of()
                        : List.of(r.xpending(k.queue(q), Keys.GROUP).getTotal() + " pending"));
                var last = r.xrevrange(k.queue(q), "+", "-", 1);
                if (!last.isEmpty()) {
                    var group = r.xinfoGroups(k.queue(q)).stream().filter(g -> g.getName().equals(Keys.GROUP)).findFirst().orElseThrow();
                    assertThat(group.getLastDeliveredId().compareTo(last.getFirst().getID())).as("jobs never read on " + q)
                            .isGreaterThanOrEqualTo(0);
                }
            }
            var notEnded = new TreeSet<String>();
            for (var key : r.keys(k.run("*"))) if (!"1".equals(r.hget(key, "t"))) notEnded.add(key + " " + r.hget(key, "j"));
            assertThat(notEnded).as("run records not ended").isEmpty();
            awaitEmpty("sweep lock", () -> r.exists(k.sweepLock()) ? List.of(r.get(k.sweepLock())) : List.of());
            // a worker gone without leaving cleanly is settled by the sweep once its heartbeat has expired
            awaitEmpty("workers listed that are gone", () -> r.smembers(k.workers()).stream().filter(w -> !liveWorkers.contains(w)).toList());
            assertThat(r.smembers(k.workers())).as("workers listed").containsExactlyInAnyOrderElementsOf(liveWorkers);
            for (var w : liveWorkers) {
                assertThat(r.exists(k.worker(w))).as(w + " beats").isTrue();
                assertThat(r.smembers(k.workerRuns(w))).as("runs held by " + w).isEmpty();
            }
        }
    }

    private static void awaitEmpty(String what, java.util.function.Supplier<List<?>> left) {
        try {
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> left.get().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " left in Redis: " + left.get(), e);
        }
    }

    /** What Redis holds of these runs and queues: for the report of a test that found them not ended. */
    static String describe(RealRedis server, Collection<String> runIds, Collection<String> queues) {
        var k = Keys.standard();
        var out = new StringBuilder("==== Redis holds ====\n");
        try (var r = server.admin()) {
            for (var id : runIds) {
                out.append(id).append(": ").append(r.hgetAll(k.run(id))).append(" active=").append(r.sismember(k.active(), id)).append('\n');
            }
            for (var q : queues) {
                out.append(q).append(": length ").append(r.xlen(k.queue(q))).append(", groups ")
                        .append(r.xinfoGroups(k.queue(q)).stream().map(g -> g.getGroupInfo().toString()).toList()).append('\n');
                out.append("  pending ").append(r.xpending(k.queue(q), Keys.GROUP,
                        redis.clients.jedis.params.XPendingParams.xPendingParams().count(100)).stream()
                        .map(p -> p.getID() + "@" + p.getConsumerName() + " idle " + p.getIdleTime() + " x" + p.getDeliveredTimes()).toList())
                        .append('\n');
            }
            for (var w : r.smembers(k.workers())) {
                out.append("worker ").append(w).append(": beat ").append(r.get(k.worker(w))).append(", runs ").append(r.smembers(k.workerRuns(w)))
                        .append('\n');
            }
        } catch (RuntimeException e) {
            out.append("(could not read: ").append(e).append(")\n");
        }
        return out.toString();
    }
}
