package dev.tether.history;

import dev.tether.run.RunSnapshot;

import java.time.Instant;

/**
 * Where a page of history ended: the sort instant (milliseconds) and id of its last run. The next
 * page starts strictly after it, so pages never repeat or skip a run however many are added meanwhile
 * (keyset paging: as fast on the thousandth page as on the first). Its text is {@code millis.runId}.
 */
public record HistoryCursor(long millis, String runId) {
    public HistoryCursor {
        if (runId == null || runId.isEmpty() || runId.length() > 128 || runId.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("not a history cursor");
        }
    }

    /** The instant a run sorts by: its end, or its submission while it is active. */
    public static Instant sortInstant(RunSnapshot r) {
        if (r.endedAt() != null) return r.endedAt();
        if (r.submittedAt() != null) return r.submittedAt();
        return Instant.EPOCH;
    }

    /** The cursor just after {@code r}. */
    public static HistoryCursor after(RunSnapshot r) {
        return new HistoryCursor(sortInstant(r).toEpochMilli(), r.runId());
    }

    /** @throws IllegalArgumentException for text that is not a cursor this history printed */
    public static HistoryCursor parse(String text) {
        int dot = text == null ? -1 : text.indexOf('.');
        if (dot <= 0) throw new IllegalArgumentException("'" + clip(text) + "' is not a history cursor (use the one a page printed as next)");
        try {
            return new HistoryCursor(Long.parseLong(text.substring(0, dot)), text.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + clip(text) + "' is not a history cursor (use the one a page printed as next)");
        }
    }

    /** Whether a run sorting at {@code millis} with id {@code id} comes after this cursor (newest first). */
    public boolean isBefore(long millis, String id) {
        return millis < this.millis || (millis == this.millis && id.compareTo(runId) < 0);
    }

    private static String clip(String s) {
        if (s == null) return "";
        var one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() > 60 ? one.substring(0, 60) + "..." : one;
    }

    @Override
    public String toString() {
        return millis + "." + runId;
    }
}
