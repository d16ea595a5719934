package dev.tether.redis;

import java.util.function.IntSupplier;

/**
 * How many replicas a write others rely on (a submit, a claim, a cancel request) must reach before it
 * counts: a fixed number, or, behind Sentinel by default, every replica the sentinels see healthy.
 * All of them, because a failover may promote any one, and because an old master that is still up
 * keeps a replica or two that would confirm writes the promoted one never gets. Asked again at most
 * once a second; a replica that dies holds such writes back until the sentinels call it down.
 */
final class ReplicaTarget {
    private static final long ASK_EVERY_NANOS = 1_000_000_000L;
    private final int fixed;
    private final IntSupplier healthyReplicas;
    private long askedAt;
    private int last = -1;

    private ReplicaTarget(int fixed, IntSupplier healthyReplicas) {
        this.fixed = fixed;
        this.healthyReplicas = healthyReplicas;
    }

    static ReplicaTarget fixed(int replicas) {
        return new ReplicaTarget(replicas, null);
    }

    /** @param healthyReplicas asks the sentinels; throws when none answers */
    static ReplicaTarget allHealthy(IntSupplier healthyReplicas) {
        return new ReplicaTarget(-1, healthyReplicas);
    }

    /** The number to wait for now (0: no replica to wait for, nothing a promotion could lose). */
    synchronized int now() {
        if (fixed >= 0) return fixed;
        long t = System.nanoTime();
        if (last >= 0 && t - askedAt < ASK_EVERY_NANOS) return last;
        try {
            last = healthyReplicas.getAsInt();
        } catch (RuntimeException e) {
            if (last < 0) throw e; // never answered: nothing to go by
        }
        askedAt = t; // a failed ask keeps the last answer for a second
        return last;
    }

    @Override
    public String toString() {
        return fixed >= 0 ? Integer.toString(fixed) : "all";
    }
}
