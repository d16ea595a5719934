package dev.tether.engine;

import dev.tether.run.RunSnapshot;

/** A run request taken from a {@link RunSource}; the engine reports back once the run is terminal. */
public interface Job {
    RunRequest request();

    /** Called exactly once, after the run reached a terminal state (for an at-least-once source: acknowledge). */
    default void finished(RunSnapshot terminal) {}
}
