package dev.tether.engine;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where runs are let in: a submit registers a run and queues it, a slot starts one it took. Once a
 * shutdown closes the gate, neither happens any more; closing waits for those already passing, so
 * that everything that got in is visible (QUEUED or RUNNING) to the shutdown's cancel-all, and a job
 * a slot took in the same moment is cancelled before it starts instead of running after the shutdown
 * began.
 */
final class StartGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** @return false once closed; on true the caller must {@link #exit()} */
    boolean enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            return false;
        }
        return true;
    }

    void exit() {
        lock.readLock().unlock();
    }

    /** Closes the gate once nobody is passing it. */
    void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }
}
