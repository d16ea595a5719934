package dev.tether.engine;

import java.util.List;

/**
 * Where an embedded engine keeps the retries it has scheduled and not started yet, so that they
 * survive a restart: the embedded store ({@code tether.db}), or nowhere.
 */
public interface RetrySchedule {
    /** Keeps a retry until it starts or ends. */
    void add(RunRequest retry);

    /** It started or ended: no restart needs it any more. */
    void remove(String runId);

    /** The retries kept, oldest due first. */
    List<RunRequest> pending();

    RetrySchedule NONE = new RetrySchedule() {
        @Override
        public void add(RunRequest retry) {}

        @Override
        public void remove(String runId) {}

        @Override
        public List<RunRequest> pending() {
            return List.of();
        }
    };
}
