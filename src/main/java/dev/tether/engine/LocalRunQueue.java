package dev.tether.engine;

import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded run source: a bounded in-memory FIFO that also keeps the concurrency limits of run
 * policies ({@code max-concurrent} of a graph, of a queue). A job whose graph or queue is at its limit
 * is parked, in order, and its run told why ({@link Hooks#waiting}); when a run of that graph or queue
 * ends, the oldest parked job goes first. A job whose run can no longer start (cancelled, expired while
 * it waited) is skipped and takes nothing.
 */
public final class LocalRunQueue implements RunSource {
    /** What the queue asks of its engine; {@link #NONE} for a queue that only hands out jobs (a child JVM's). */
    public interface Hooks {
        /** Whether the run may still start (false: cancelled or expired while queued; it is skipped). */
        boolean startable(RunRequest request);

        /** The run is held back for {@code reason}. */
        void waiting(RunRequest request, String reason);

        /** The run ended (after its job let go of its places): a retry may follow. */
        void ended(RunRequest request, RunSnapshot terminal);

        Hooks NONE = new Hooks() {
            @Override
            public boolean startable(RunRequest request) {
                return true;
            }

            @Override
            public void waiting(RunRequest request, String reason) {}

            @Override
            public void ended(RunRequest request, RunSnapshot terminal) {}
        };
    }

    private final int capacity;
    private final Hooks hooks;
    /**
     * One lock for the FIFO and the limits: a job is taken and admitted (or parked) in one step, so jobs
     * parked at a limit are in the order they were queued whichever slot took them.
     */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition available = lock.newCondition();
    private final ArrayDeque<LocalJob> fifo = new ArrayDeque<>();
    /** Jobs let go by a run's end: served before the FIFO. */
    private final ArrayDeque<LocalJob> ready = new ArrayDeque<>();
    /** Jobs held back, by the limit that holds them, oldest first. */
    private final Map<String, ArrayDeque<LocalJob>> parked = new HashMap<>();
    /** Runs executing per limit. */
    private final Map<String, Integer> running = new HashMap<>();
    private volatile boolean closed;

    public LocalRunQueue(int capacity) {
        this(capacity, Hooks.NONE);
    }

    public LocalRunQueue(int capacity, Hooks hooks) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        this.capacity = capacity;
        this.hooks = hooks;
    }

    /** @return false when the queue is full or closed */
    public boolean offer(RunRequest request) {
        lock.lock();
        try {
            if (closed || fifo.size() >= capacity) return false;
            fifo.addLast(new LocalJob(request));
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Jobs waiting: in the FIFO, parked at a limit, or let go and not yet taken. */
    public int size() {
        lock.lock();
        try {
            int n = fifo.size() + ready.size();
            for (var q : parked.values()) n += q.size();
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Job poll(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (!closed) {
                var job = ready.pollFirst();
                boolean letGo = job != null;
                if (job == null) job = fifo.pollFirst();
                if (job != null) {
                    if (!hooks.startable(job.request())) { // skipped: it takes no place
                        if (letGo) letNextGo(limits(job.request())); // the place it was let go for goes to the next one
                        continue;
                    }
                    if (admit(job, letGo)) return job;
                    continue;
                }
                if (left <= 0) return null;
                left = available.awaitNanos(left);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the job's places under its limits, or parks it (and says why). Under the lock. */
    private boolean admit(LocalJob job, boolean letGo) {
        var limits = limits(job.request());
        if (limits.isEmpty()) return true;
        for (var limit : limits) {
            var waiting = parked.get(limit.key());
            // Order: a newcomer waits behind the jobs already parked at that limit; one let go goes first.
            boolean behind = !letGo && waiting != null && !waiting.isEmpty();
            if (behind || running.getOrDefault(limit.key(), 0) >= limit.max()) {
                var q = parked.computeIfAbsent(limit.key(), k -> new ArrayDeque<>());
                if (letGo) q.addFirst(job);
                else q.addLast(job);
                hooks.waiting(job.request(), limit.reason());
                return false;
            }
        }
        for (var limit : limits) running.merge(limit.key(), 1, Integer::sum);
        job.held = limits;
        return true;
    }

    /** A run ended: its places are free, and the oldest job parked at each of its limits may go. */
    private void release(LocalJob job) {
        lock.lock();
        try {
            var held = job.held;
            job.held = List.of();
            for (var limit : held) running.computeIfPresent(limit.key(), (k, n) -> n > 1 ? n - 1 : null);
            letNextGo(held);
        } finally {
            lock.unlock();
        }
    }

    /** Moves the oldest job parked at each limit that can still start to the front. Under the lock. */
    private void letNextGo(List<Limit> limits) {
        for (var limit : limits) {
            var waiting = parked.get(limit.key());
            while (waiting != null && !waiting.isEmpty()) {
                var head = waiting.pollFirst();
                if (hooks.startable(head.request())) {
                    ready.addLast(head);
                    available.signal();
                    break;
                } // cancelled or expired while parked: it needs no place, the next one may go
            }
            if (waiting != null && waiting.isEmpty()) parked.remove(limit.key());
        }
    }

    private record Limit(String key, int max, String reason) {}

    private static List<Limit> limits(RunRequest r) {
        var p = r.policy();
        if (p == null || (p.maxConcurrent() == null && p.queueMaxConcurrent() == null)) return List.of();
        var out = new ArrayList<Limit>(2);
        if (p.maxConcurrent() != null) {
            out.add(new Limit("graph:" + r.graphId(), p.maxConcurrent(), "waiting: graph " + r.graphId()
                    + " at its limit of " + p.maxConcurrent()));
        }
        if (p.queueMaxConcurrent() != null) {
            out.add(new Limit("queue:" + r.queue(), p.queueMaxConcurrent(), "waiting: queue " + r.queue()
                    + " at its limit of " + p.queueMaxConcurrent()));
        }
        return out;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            fifo.clear();
            ready.clear();
            parked.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private final class LocalJob implements Job {
        private final RunRequest request;
        /** The limits whose places it holds while it runs. Under the queue's lock. */
        private List<Limit> held = List.of();

        LocalJob(RunRequest request) {
            this.request = request;
        }

        @Override
        public RunRequest request() {
            return request;
        }

        @Override
        public void finished(RunSnapshot terminal) {
            release(this);
            hooks.ended(request, terminal);
        }
    }
}
