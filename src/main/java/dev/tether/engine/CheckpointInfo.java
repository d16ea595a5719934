package dev.tether.engine;

import java.time.Instant;

/**
 * One checkpoint of a run as a person reads it: written after {@code node} completed (LangGraph4j's
 * first one is after {@code __START__}), continuing at {@code nextNode}.
 *
 * @param at    when it was written; null when the saver does not record it
 * @param bytes its stored size; -1 when the saver does not tell
 * @param error why it cannot be used (truncated, garbage, a failed check); null when it is complete
 */
public record CheckpointInfo(String id, String node, String nextNode, Instant at, long bytes, String error) {
    public boolean readable() {
        return error == null;
    }
}
