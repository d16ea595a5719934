package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.run.RunSnapshot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Makes submits idempotent: a request id seen before answers the run it created, so a client that
 * retries (or a proxy that resends) never creates a second run. The same id with a different
 * request is refused. Remembers the newest {@link HttpContract#REMEMBERED_REQUEST_IDS} ids.
 *
 * <p>Bounded: each id keeps a digest of its request (SHA-256, whatever the body's size) and its
 * run's id, never the request or the run, so the ledger holds a few MiB at most (the body could be
 * 64 KiB: whole fingerprints and snapshots had let it grow to about a GiB). Submits with
 * different ids run side by side; only submits with the same id wait for each other.
 */
final class SubmitLedger {
    record Outcome(RunSnapshot run, boolean replayed) {}

    private record Remembered(String digest, String runId) {}

    /** Guarded by itself; held only to read or add an entry, never while a run is submitted. */
    private final Map<String, Remembered> byRequestId = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > HttpContract.REMEMBERED_REQUEST_IDS;
        }
    };
    /** Request ids being submitted now, and what a second submit of the same id waits on. */
    private final ConcurrentHashMap<String, CountDownLatch> inFlight = new ConcurrentHashMap<>();

    /**
     * Runs {@code submit} once per request id: a second submit with the id waits while the first is
     * under way, then answers its run (or, if the first failed, submits itself).
     *
     * @param fingerprint the request, canonical (kept only as its digest)
     * @param current     finds a remembered run's current snapshot: the registry's, else the history's
     *                    (null if neither has it any more)
     */
    Outcome submit(String requestId, String fingerprint, Supplier<RunSnapshot> submit, Function<String, RunSnapshot> current)
            throws InterruptedException {
        var digest = digest(fingerprint);
        while (true) {
            var seen = remembered(requestId);
            if (seen != null) return replay(requestId, seen, digest, current);
            var mine = new CountDownLatch(1);
            var other = inFlight.putIfAbsent(requestId, mine);
            if (other != null) {
                other.await(); // the same id under way: its outcome decides (a failure leaves it to this one)
                continue;
            }
            try {
                seen = remembered(requestId); // remembered between the first look and taking the id
                if (seen != null) return replay(requestId, seen, digest, current);
                var run = submit.get();
                synchronized (byRequestId) {
                    byRequestId.put(requestId, new Remembered(digest, run.runId()));
                }
                return new Outcome(run, false);
            } finally {
                inFlight.remove(requestId, mine); // before the wake-up: a waiter must not find it again
                mine.countDown();
            }
        }
    }

    private Remembered remembered(String requestId) {
        synchronized (byRequestId) {
            return byRequestId.get(requestId);
        }
    }

    private static Outcome replay(String requestId, Remembered seen, String digest, Function<String, RunSnapshot> current) {
        if (!seen.digest().equals(digest)) {
            throw new Refusal(ErrorKind.REQUEST_ID_REUSED, "request id '" + requestId
                    + "' was already used for a different submit (run " + seen.runId() + ")");
        }
        var now = current.apply(seen.runId());
        if (now == null) {
            throw new Refusal(ErrorKind.UNKNOWN_RUN, "request id '" + requestId + "' made run " + seen.runId()
                    + ", which is no longer kept");
        }
        return new Outcome(now, true);
    }

    static String digest(String fingerprint) {
        try {
            var sha = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The characters the ledger holds now (ids, digests, run ids): what its memory grows with. */
    long heldChars() {
        synchronized (byRequestId) {
            long n = 0;
            for (var e : byRequestId.entrySet()) n += e.getKey().length() + e.getValue().digest().length() + e.getValue().runId().length();
            return n;
        }
    }
}
