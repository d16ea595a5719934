package dev.tether.engine;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The embedded run source: a bounded in-memory FIFO. */
public final class LocalRunQueue implements RunSource {
    private static final Job POISON = () -> null;

    private final LinkedBlockingQueue<Job> queue;
    private volatile boolean closed;

    public LocalRunQueue(int capacity) {
        this.queue = new LinkedBlockingQueue<>(capacity);
    }

    /** @return false when the queue is full or closed */
    public boolean offer(RunRequest request) {
        if (closed) return false;
        return queue.offer(new LocalJob(request));
    }

    public int size() {
        return queue.size();
    }

    @Override
    public Job poll(Duration timeout) throws InterruptedException {
        if (closed) return null;
        var job = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (job == POISON) {
            queue.offer(POISON); // wake the next slot too
            return null;
        }
        return job;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        queue.offer(POISON);
    }

    private record LocalJob(RunRequest request) implements Job {}
}
