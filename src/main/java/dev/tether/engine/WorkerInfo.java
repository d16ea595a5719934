package dev.tether.engine;

import java.time.Instant;
import java.util.List;

/**
 * A worker's heartbeat record, as the Workers view shows it.
 *
 * @param graphs   the graphs it can run (null: not said, as by an older worker)
 * @param problems what keeps it from making progress, one line each (empty: nothing; null: not said,
 *                 as by an older worker or an embedded engine)
 * @param holding  whether it holds its runs for want of contact with Redis or of a catch-up after it:
 *                 a run of its may be missing from Redis until it has caught up (null: not said)
 * @param fenceAfterMillis how long without contact before it stops its runs itself (null: not said)
 */
public record WorkerInfo(String name, String host, long pid, List<String> queues, int concurrency, int busy, int stuck,
                         Instant startedAt, Instant heartbeatAt, List<String> graphs, List<String> problems,
                         Boolean holding, Long fenceAfterMillis) {

    public WorkerInfo(String name, String host, long pid, List<String> queues, int concurrency, int busy, int stuck,
                      Instant startedAt, Instant heartbeatAt, List<String> graphs, List<String> problems) {
        this(name, host, pid, queues, concurrency, busy, stuck, startedAt, heartbeatAt, graphs, problems, null, null);
    }

    public WorkerInfo(String name, String host, long pid, List<String> queues, int concurrency, int busy, int stuck,
                      Instant startedAt, Instant heartbeatAt) {
        this(name, host, pid, queues, concurrency, busy, stuck, startedAt, heartbeatAt, null, null);
    }

    public WorkerInfo(String name, String host, long pid, List<String> queues, int concurrency, int busy, int stuck,
                      Instant startedAt, Instant heartbeatAt, List<String> graphs) {
        this(name, host, pid, queues, concurrency, busy, stuck, startedAt, heartbeatAt, graphs, null);
    }

    /** Whether it said it cannot make progress (in its last heartbeat). */
    public boolean stalled() {
        return problems != null && !problems.isEmpty();
    }

    /** Whether it takes runs of {@code graph} from {@code queue}. */
    public boolean serves(String queue, String graph) {
        return queues != null && queues.contains(queue) && (graphs == null || graphs.contains(graph));
    }
}
