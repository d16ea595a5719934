package dev.tether.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine's floor for a chain of wake-ups: a token passed along parked threads and back, each hop a
 * thread that wakes, hands the token on and parks again, with nothing else to do. A cross-process cancel
 * is such a chain (the client, Redis, the worker's subscriber and the run's thread, Redis, the view's
 * subscriber and the waiting thread: six wake-ups), so its tail can be no shorter than this one's after
 * the same quiet. Each chain length is measured with the token sent back to back, and after pauses like
 * the gaps between RedisBench's cancels (an idle machine parks its CPUs). RedisBench measures a chain
 * of six between its cancels too, so that both are seen in the same minutes.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.WakeChainBench</pre>
 */
public final class WakeChainBench {
    public static void main(String[] args) throws Exception {
        System.out.printf("%-6s %-9s %9s %9s %9s %9s %9s  (ms: token round trips through parked threads)%n", "hops", "pause", "p50", "p90",
                "p99", "p99.9", "max");
        for (int hops : new int[] {2, 4, 6}) {
            for (long pauseMicros : new long[] {0, 1_000, 5_000, 20_000}) {
                int n = pauseMicros >= 20_000 ? 600 : pauseMicros >= 5_000 ? 1_500 : 5_000;
                var h = new Histogram(3);
                try (var chain = new Chain(hops)) {
                    for (int i = 0; i < n + 200; i++) {
                        if (pauseMicros > 0) LockSupport.parkNanos(pauseMicros * 1_000);
                        long nanos = chain.roundTrip();
                        if (i >= 200) h.recordValue(nanos);
                    }
                }
                System.out.printf("%-6d %-9s %9.3f %9.3f %9.3f %9.3f %9.3f%n", hops, pauseMicros == 0 ? "none" : pauseMicros / 1000 + " ms",
                        ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
            }
        }
    }

    /** A ring of {@code hops} wake-ups: the caller's thread and {@code hops - 1} parked helpers. */
    public static final class Chain implements AutoCloseable {
        private final Hop[] ring;
        private final List<Thread> helpers = new ArrayList<>();

        public Chain(int hops) {
            if (hops < 2) throw new IllegalArgumentException("a chain has at least 2 hops");
            ring = new Hop[hops];
            for (int i = 0; i < hops; i++) ring[i] = new Hop();
            for (int i = 1; i < hops; i++) {
                var self = ring[i];
                var next = ring[(i + 1) % hops];
                self.thread = Thread.ofPlatform().daemon().name("wake-chain-" + i).unstarted(() -> {
                    while (self.await()) next.pass();
                });
                helpers.add(self.thread);
            }
            helpers.forEach(Thread::start);
        }

        /** Sends the token around once, from the calling thread; returns the nanoseconds it took. */
        public long roundTrip() {
            ring[0].thread = Thread.currentThread();
            long t = System.nanoTime();
            ring[1].pass();
            ring[0].await();
            return System.nanoTime() - t;
        }

        @Override
        public void close() throws InterruptedException {
            for (int i = 1; i < ring.length; i++) ring[i].stop();
            for (var t : helpers) t.join();
        }
    }

    /** One thread of the chain: parked until the token reaches it. */
    private static final class Hop {
        volatile Thread thread;
        private volatile boolean token, stopped;

        void pass() {
            token = true;
            LockSupport.unpark(thread);
        }

        void stop() {
            stopped = true;
            LockSupport.unpark(thread);
        }

        /** Waits for the token and takes it; false once stopped. */
        boolean await() {
            while (!token) {
                if (stopped) return false;
                LockSupport.park(this);
            }
            token = false;
            return true;
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private WakeChainBench() {
    }
}
