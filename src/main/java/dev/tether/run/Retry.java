package dev.tether.run;

import java.time.Instant;
import java.util.Objects;

/**
 * Marks a run as a retry: an attempt its policy started by itself after an earlier one ended in an
 * outcome it retries. It resumes after the earlier attempt's last good checkpoint (its
 * {@code resumeOf}), so nodes that completed do not run again; without a checkpoint it starts over.
 *
 * @param previous the attempt it retries
 * @param attempt  this attempt's number: 2 for the first retry
 * @param attempts attempts allowed in all (1 + retries)
 * @param due      when it may start: the end of the earlier attempt plus the backoff
 * @param after    what ended the earlier attempt, in one line (e.g. {@code FAILED: IOException: reset})
 */
public record Retry(String previous, int attempt, int attempts, Instant due, String after) {
    public Retry {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(due, "due");
        if (attempt < 2 || attempt > attempts) throw new IllegalArgumentException("attempt " + attempt + " of " + attempts);
    }

    /** "attempt 2 of 4", as the details pane says it. */
    public String label() {
        return "attempt " + attempt + " of " + attempts;
    }
}
