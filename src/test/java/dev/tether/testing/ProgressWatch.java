package dev.tether.testing;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Watches a progress figure (runs ended, events seen, ...) while a test waits on other processes.
 * When the figure has not moved for the window (30 s by default), it prints the thread dumps of
 * every JVM involved ({@link ThreadDumps}) once per stall, so a hang leaves its evidence in the
 * test output instead of only a timeout. It never changes the outcome of the test.
 */
public final class ProgressWatch implements AutoCloseable {
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

    private final Thread thread;
    private volatile boolean closed;
    private volatile int stalls;

    private ProgressWatch(String what, LongSupplier progress, Duration window) {
        thread = Thread.ofPlatform().daemon().name("progress-watch").unstarted(() -> watch(what, progress, window));
        thread.start();
    }

    public static ProgressWatch of(String what, LongSupplier progress) {
        return new ProgressWatch(what, progress, DEFAULT_WINDOW);
    }

    public static ProgressWatch of(String what, LongSupplier progress, Duration window) {
        return new ProgressWatch(what, progress, window);
    }

    /** How many stalls were reported (each with its dumps). */
    public int stalls() {
        return stalls;
    }

    private void watch(String what, LongSupplier progress, Duration window) {
        long last = read(progress);
        long lastMove = System.nanoTime();
        boolean reported = false;
        while (!closed) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long now = read(progress);
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
                reported = false;
            } else if (!reported && System.nanoTime() - lastMove > window.toNanos()) {
                reported = true;
                stalls++;
                ThreadDumps.printAll("no progress in " + what + " for " + window.toSeconds() + " s (still at " + now + ")");
            }
        }
    }

    private static long read(LongSupplier progress) {
        try {
            return progress.getAsLong();
        } catch (RuntimeException e) {
            return Long.MIN_VALUE; // an unreadable figure is no progress
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
