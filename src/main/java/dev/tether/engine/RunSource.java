package dev.tether.engine;

import java.time.Duration;

/**
 * Where the engine's slots take work from: the local queue, a Redis stream, ... The engine does not
 * build its source; it is given one.
 */
public interface RunSource extends AutoCloseable {

    /** The next job, or null when none arrived within {@code timeout} or the source is closed. */
    Job poll(Duration timeout) throws InterruptedException;

    boolean isClosed();

    /** Stops handing out jobs; slots blocked in {@link #poll} return promptly. */
    @Override
    void close();
}
