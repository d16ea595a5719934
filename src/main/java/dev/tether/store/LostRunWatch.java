package dev.tether.store;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Looks again, while this process runs, for active runs whose process has ended: one that was still
 * alive when this process started (a console beside a {@code serve}, or a killed process its
 * supervisor had not reaped yet) must not stay RUNNING until the next restart. Each look is
 * {@link RunHistory#sweepLost}: one index-only query and a {@code /proc} read per other process.
 */
final class LostRunWatch implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LostRunWatch.class);

    private final RunHistory history;
    private final RunRegistry registry;
    private final Duration every;
    private final Consumer<RunSnapshot> onLost;
    private final Thread thread;
    private volatile boolean closed;
    private final dev.tether.logging.FailureSpell failing = new dev.tether.logging.FailureSpell();

    private LostRunWatch(RunHistory history, RunRegistry registry, Duration every, Consumer<RunSnapshot> onLost) {
        this.history = history;
        this.registry = registry;
        this.every = every;
        this.onLost = onLost;
        this.thread = Thread.ofPlatform().daemon().name("tether-lost-runs").unstarted(this::loop);
    }

    static LostRunWatch start(RunHistory history, RunRegistry registry, Duration every, Consumer<RunSnapshot> onLost) {
        if (every.isNegative() || every.isZero()) throw new IllegalArgumentException("the lost-run check needs a positive interval");
        var watch = new LostRunWatch(history, registry, every, onLost);
        watch.thread.start();
        return watch;
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                if (closed) return;
            }
            try {
                for (var lost : history.sweepLost(registry)) onLost.accept(lost);
            } catch (RuntimeException e) { // a busy or full store: looked at again next time
                if (failing.failed(null).any()) {
                    LOG.warn("could not look for lost runs (tried again every {} ms): {}", every.toMillis(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
