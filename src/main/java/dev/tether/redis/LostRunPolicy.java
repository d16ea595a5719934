package dev.tether.redis;

/** What happens to the jobs of a worker that stopped answering. Started runs are LOST under either policy. */
public enum LostRunPolicy {
    /** Runs that never started go back on their queue for another worker. */
    REQUEUE,
    /** Runs that never started are LOST too (for work that must not run late). */
    LOSE
}
