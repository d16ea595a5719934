package dev.tether.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Injects the mode's faults one after another, with a random pause between them, for as long as the
 * load runs (but the quiet tail). Each round takes every kind once, in a random order, so a short
 * soak still meets each kind and a long one meets each many times. A fault that cannot be injected
 * (a restart that fails) is recorded: the test fails on it.
 */
final class FaultSchedule implements AutoCloseable {
    record Injected(String kind, Instant start, Duration took, String detail, String error) {}

    private final List<Fault> faults;
    private final Random random;
    private final Duration minGap;
    private final Duration maxGap;
    private final List<Injected> done = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile Instant stopAt = Instant.MAX;
    private volatile boolean closed;
    private volatile boolean firstRoundDone;

    FaultSchedule(List<Fault> faults, Random random, Duration minGap, Duration maxGap) {
        this.faults = List.copyOf(faults);
        this.random = random;
        this.minGap = minGap;
        this.maxGap = maxGap;
        this.thread = Thread.ofPlatform().daemon().name("soak-faults").unstarted(this::loop);
    }

    /** Starts injecting; the last fault starts before {@code until}, unless the first round is not complete by then. */
    void start(Instant until) {
        stopAt = until;
        thread.start();
    }

    private void loop() {
        var round = new ArrayList<Fault>();
        while (!closed) {
            try {
                Thread.sleep(gap());
            } catch (InterruptedException e) {
                return;
            }
            if (closed || (firstRoundDone && Instant.now().isAfter(stopAt))) return;
            if (round.isEmpty()) {
                round.addAll(faults);
                Collections.shuffle(round, random);
            }
            var fault = round.removeFirst();
            var start = Instant.now();
            long t0 = System.nanoTime();
            log("fault " + fault.kind() + " ...");
            try {
                var detail = fault.inject(random);
                done.add(new Injected(fault.kind(), start, Duration.ofNanos(System.nanoTime() - t0), detail, null));
                log("fault " + fault.kind() + ": " + detail);
            } catch (InterruptedException e) {
                done.add(new Injected(fault.kind(), start, Duration.ofNanos(System.nanoTime() - t0), null, "interrupted"));
                return;
            } catch (Exception | AssertionError e) {
                done.add(new Injected(fault.kind(), start, Duration.ofNanos(System.nanoTime() - t0), null, e.toString()));
                log("fault " + fault.kind() + " failed: " + e);
            }
            if (round.isEmpty()) firstRoundDone = true;
        }
    }

    private long gap() {
        long min = minGap.toMillis();
        long span = Math.max(1, maxGap.toMillis() - min);
        synchronized (random) {
            return min + (long) (random.nextDouble() * span);
        }
    }

    private static void log(String line) {
        System.out.println("[soak " + Instant.now() + "] " + line);
    }

    /** Whether every kind was injected at least once. */
    boolean firstRoundDone() {
        return firstRoundDone || !thread.isAlive() && thread.getState() == Thread.State.TERMINATED;
    }

    List<Injected> injected() {
        synchronized (done) {
            return List.copyOf(done);
        }
    }

    Map<String, Integer> byKind() {
        var out = new TreeMap<String, Integer>();
        for (var f : faults) out.put(f.kind(), 0);
        for (var i : injected()) if (i.error() == null) out.merge(i.kind(), 1, Integer::sum);
        return out;
    }

    /** Waits for the fault under way to be lifted (never interrupts it), then stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(Duration.ofMinutes(3));
        if (thread.isAlive()) thread.interrupt();
    }
}
