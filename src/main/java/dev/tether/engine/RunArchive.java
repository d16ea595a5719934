package dev.tether.engine;

import dev.tether.run.RunSnapshot;

import java.util.Optional;

/**
 * Where runs that are no longer in memory can still be found (the durable history). A resume needs
 * the original run (graph, queue, input) even after the process that ran it is gone.
 */
@FunctionalInterface
public interface RunArchive {
    RunArchive NONE = runId -> Optional.empty();

    /** The last recorded snapshot of a run by its full id. */
    Optional<RunSnapshot> find(String runId);
}
