package dev.tether.soak;

import dev.tether.testing.ProgressWatch;
import dev.tether.testing.ThreadDumps;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.function.Supplier;

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
     * Runs the load with faults, and on until every kind of fault was injected once (a slow machine
     * restarts processes slowly); then the load alone for the steady tail, so that the owner
     * processes running at the end have served a good share of it. Then stops both.
     */
    void loadAndFaults(LoadGenerator load, FaultSchedule faults) throws InterruptedException {
        var faultsUntil = Instant.now().plus(config.load()).minus(config.steadyTail());
        load.start();
        faults.start(faultsUntil);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), faultsUntil).toMillis()));
        long limit = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!faults.firstRoundDone() && System.nanoTime() < limit) Thread.sleep(200);
        faults.close();
        log(config.mode() + ": faults over, " + config.steadyTail().toSeconds() + " s of load without them");
        Thread.sleep(config.steadyTail().toMillis());
        load.close();
    }

    /**
     * Waits until {@code active} reports no active run. A backlog that drains slowly on a loaded
     * machine keeps changing the set, so the wait goes on; a set that stays the same for
     * {@link SoakConfig#SETTLE_STILL} means runs that will never end (the accountant names them, and
     * the threads of every JVM are written beside the report). Each change counts as progress.
     *
     * @return how long it took
     */
    Duration settle(Supplier<Set<String>> active) throws InterruptedException {
        long t0 = System.nanoTime();
        long lastChange = t0;
        long hardStop = t0 + SoakConfig.SETTLE_CAP.toNanos();
        Set<String> last = null;
        while (System.nanoTime() < hardStop && System.nanoTime() - lastChange < SoakConfig.SETTLE_STILL.toNanos()) {
            Set<String> now;
            try {
                now = active.get();
            } catch (RuntimeException e) {
                now = null; // not answering right now
            }
            if (now != null && now.isEmpty()) return Duration.ofNanos(System.nanoTime() - t0);
            if (now != null && !now.equals(last)) {
                settling.incrementAndGet();
                last = now;
                lastChange = System.nanoTime();
            }
            Thread.sleep(500);
        }
        // runs that never ended: the state of every JVM involved, beside the report
        var dumps = ThreadDumps.collectAll(last + " of the " + config.mode() + " soak still active, unchanged for "
                + SoakConfig.SETTLE_STILL.toSeconds() + " s after the load stopped");
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
