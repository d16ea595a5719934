package dev.tether.redis;

/** What happens to the jobs of a worker that stopped answering. */
public enum LostRunPolicy {
    /** Runs that never started go back on their queue for another worker; started ones are LOST. */
    REQUEUE,
    /** Every run the worker held is LOST. */
    FAIL
}
