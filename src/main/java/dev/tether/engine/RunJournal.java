package dev.tether.engine;

import dev.tether.run.RunSnapshot;

import java.util.Collection;

/**
 * Where a run is written durably the moment the engine accepts it, before its submitter is answered
 * (the durable history); again when it starts, before its first node; and when a cancel ends it before
 * it started, before that cancel is answered. A process killed right after any of them still leaves the
 * run on record as it was: the next start finds a started run LOST, and a cancelled one stays CANCELLED.
 * Everything else is written behind the engine.
 */
@FunctionalInterface
public interface RunJournal {
    RunJournal NONE = run -> {};

    /**
     * Writes {@code run}, just accepted, started or cancelled, now, on the caller's thread.
     *
     * @throws RuntimeException when it cannot (a full disk): the run goes on, written behind as ever
     */
    void accepted(RunSnapshot run);

    /** Writes these runs now, together where the journal can (one transaction for a bulk cancel's queued runs). */
    default void acceptedAll(Collection<RunSnapshot> runs) {
        for (var run : runs) accepted(run);
    }
}
