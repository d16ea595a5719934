package dev.tether.engine;

import dev.tether.run.RunSnapshot;

/**
 * Where a run is written durably the moment the engine accepts it, before its submitter is answered
 * (the durable history), and again when it starts, before its first node: a process killed right
 * after either still leaves the run on record as it was, to be found LOST by the next start.
 * Everything else is written behind the engine.
 */
@FunctionalInterface
public interface RunJournal {
    RunJournal NONE = run -> {};

    /**
     * Writes {@code run}, just accepted or started, now, on the caller's thread.
     *
     * @throws RuntimeException when it cannot (a full disk): the run goes on, written behind as ever
     */
    void accepted(RunSnapshot run);
}
