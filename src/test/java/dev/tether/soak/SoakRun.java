package dev.tether.soak;

import dev.tether.testing.ProgressWatch;
import dev.tether.testing.ThreadDumps;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The part every mode shares: load and faults side by side for the configured time, watched for
 * progress (30 s without any: thread dumps of every JVM involved), then a wait for every run to end.
 */
final class SoakRun {
    private final SoakConfig config;
    private final Ledger ledger;
    private final NodeLog nodeLog;
    /** Moves whenever the settling sees the set of active runs change. */
    private final AtomicLong settling = new AtomicLong();

    SoakRun(SoakConfig config, Ledger ledger, NodeLog nodeLog) {
        this.config = config;
        this.ledger = ledger;
        this.nodeLog = nodeLog;
    }

    /** The figure the watch follows: answered requests, node starts, and runs seen ending. */
    long progress() {
        return ledger.actions() + nodeLog.size() + settling.get();
    }

    ProgressWatch watch() {
        return ProgressWatch.of("the " + config.mode() + " soak", this::progress);
    }

    /**
     * Runs the load and the faults for the configured time, and on until every kind of fault was
     * injected once (a slow machine restarts processes slowly); then stops both (the fault under way
     * is finished first).
     */
    void loadAndFaults(LoadGenerator load, FaultSchedule faults) throws InterruptedException {
        var end = Instant.now().plus(config.load());
        load.start();
        faults.start(end.minus(config.quietTail()));
        Thread.sleep(config.load().toMillis());
        long limit = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!faults.firstRoundDone() && System.nanoTime() < limit) Thread.sleep(200);
        faults.close();
        load.close();
    }

    /**
     * Waits until {@code active} reports no active run, or the settle limit passed (then the
     * accountant names what never ended). Each change of the count counts as progress.
     *
     * @return how long it took
     */
    Duration settle(LongSupplier active) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + SoakConfig.SETTLE_LIMIT.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long n;
            try {
                n = active.getAsLong();
            } catch (RuntimeException e) {
                n = -1; // not answering right now
            }
            if (n != last) {
                settling.incrementAndGet();
                last = n;
            }
            if (n == 0) return Duration.ofNanos(System.nanoTime() - t0);
            Thread.sleep(500);
        }
        // runs that never ended: the state of every JVM involved, beside the report
        var dumps = ThreadDumps.collectAll("runs of the " + config.mode() + " soak still active " + SoakConfig.SETTLE_LIMIT.toSeconds()
                + " s after the load stopped");
        try {
            var file = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "soak")).resolve("dumps-" + config.mode() + ".txt");
            java.nio.file.Files.writeString(file, dumps);
            log(config.mode() + ": runs still active; thread dumps of every JVM in " + file.toAbsolutePath());
        } catch (java.io.IOException e) {
            System.out.println(dumps);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    static void log(String line) {
        System.out.println("[soak " + Instant.now() + "] " + line);
    }
}
