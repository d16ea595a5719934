package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.run.RunSnapshot;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Makes submits idempotent: a request id seen before answers the run it created, so a client that
 * retries (or a proxy that resends) never creates a second run. The same id with a different
 * request is refused. Remembers the newest {@link HttpContract#REMEMBERED_REQUEST_IDS} ids.
 */
final class SubmitLedger {
    record Outcome(RunSnapshot run, boolean replayed) {}

    private record Remembered(String fingerprint, String runId, RunSnapshot first) {}

    private final Map<String, Remembered> byRequestId = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > HttpContract.REMEMBERED_REQUEST_IDS;
        }
    };

    /**
     * Runs {@code submit} once per request id. Submits with an id are serialised (they are quick:
     * the run is only queued), so two concurrent requests with one id cannot both create a run.
     *
     * @param current finds a remembered run's current snapshot (null if it has left the registry)
     */
    synchronized Outcome submit(String requestId, String fingerprint, Supplier<RunSnapshot> submit,
                                java.util.function.Function<String, RunSnapshot> current) {
        var seen = byRequestId.get(requestId);
        if (seen != null) {
            if (!seen.fingerprint().equals(fingerprint)) {
                throw new Refusal(ErrorKind.REQUEST_ID_REUSED, "request id '" + requestId
                        + "' was already used for a different submit (run " + seen.runId() + ")");
            }
            var now = current.apply(seen.runId());
            return new Outcome(now != null ? now : seen.first(), true);
        }
        var run = submit.get();
        byRequestId.put(requestId, new Remembered(fingerprint, run.runId(), run));
        return new Outcome(run, false);
    }
}
