package dev.tether.redis;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A participant's maintenance pass, one named step at a time. A step that fails while Redis answers
 * (a role without one of its commands, a full server refusing its write, a record it cannot read) is
 * said, and the steps after it still run: one refused command must not also stop the lost-worker
 * sweep, the retries or the cancel checks. A step that gets no answer ends the pass; every step after
 * it would wait as long, for nothing.
 * <p>
 * A worker reports a failing step through its {@link WorkerStalls} (in its heartbeat, and its log once
 * the step has failed for {@link WorkerStalls#AFTER}); a view has none and logs each step's failure
 * as a {@link dev.tether.logging.FailureSpell}: when it starts, when its reason changes, once a minute meanwhile.
 */
final class MaintenanceSteps {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MaintenanceSteps.class);

    private final String where;
    private final WorkerStalls stalls;
    /** Each failing step's spell (views only). */
    private final ConcurrentHashMap<String, dev.tether.logging.FailureSpell> failing = new ConcurrentHashMap<>();

    /** @param stalls a worker's; null for a view, whose failing steps are logged here */
    MaintenanceSteps(String where, WorkerStalls stalls) {
        this.where = where;
        this.stalls = stalls;
    }

    /** The name a step's problem goes by, in a heartbeat and in the log. */
    static String activity(String step) {
        return "maintenance step '" + step + "'";
    }

    /**
     * Runs {@code step}; rethrows only a lost contact (or Redis unavailable), which ends the pass.
     *
     * @return whether it worked (a step that needs what this one read asks)
     */
    boolean step(String name, Runnable step) {
        try {
            step.run();
            if (stalls != null) stalls.worked(activity(name));
            return true;
        } catch (RuntimeException e) {
            if (Connectivity.lostContact(e) || e instanceof RedisUnavailableException) throw e;
            if (stalls != null) {
                stalls.failed(activity(name), e);
                return false;
            }
            var why = Connectivity.refusal(e);
            if (failing.computeIfAbsent(name, k -> new dev.tether.logging.FailureSpell()).failed(why).any()) {
                LOG.warn("{} failed against Redis at {} ({}); the rest of the pass goes on, and so will this step",
                        activity(name), where, why != null ? "refused: " + why : Text.oneLine(String.valueOf(e)));
            }
            return false;
        }
    }
}
