package dev.tether.registry;

import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;

/**
 * What applying one event did. {@code after} is null when the event was rejected; then {@code before}
 * tells why (unknown run, or a state that does not accept the event). For a watcher of
 * {@link RunRegistry#watch}, {@code event} is null when the change is a snapshot mirrored from
 * another process.
 */
public record ApplyResult(RunEvent event, RunSnapshot before, RunSnapshot after) {

    public boolean applied() {
        return after != null;
    }

    /** The run's current snapshot after the attempt, applied or not; null for an unknown run. */
    public RunSnapshot current() {
        return after != null ? after : before;
    }
}
