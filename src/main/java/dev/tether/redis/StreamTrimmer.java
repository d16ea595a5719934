package dev.tether.redis;

import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XTrimParams;

/**
 * Keeps queue streams short without losing work: only entries that every reader has been given and
 * acknowledged are trimmed (below both the group's last-delivered id and its oldest pending entry).
 * Trimming by length alone ({@code MAXLEN}) would drop jobs nobody has read yet.
 */
final class StreamTrimmer {
    /** Trim once a stream holds more entries than this (system property {@code tether.redis.trimAbove}). */
    static final long TRIM_ABOVE = Long.getLong("tether.redis.trimAbove", 10_000);

    private final UnifiedJedis redis;

    StreamTrimmer(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** @return entries removed */
    long trim(String stream) {
        if (redis.xlen(stream) <= TRIM_ABOVE) return 0;
        StreamEntryID lastDelivered = null;
        try {
            for (var g : redis.xinfoGroups(stream)) {
                if (Keys.GROUP.equals(g.getName())) lastDelivered = g.getLastDeliveredId();
            }
        } catch (JedisDataException e) {
            return 0; // no such stream any more
        }
        if (lastDelivered == null) return 0;
        // Everything up to the last delivered id was given to someone; below the oldest pending one it was also acknowledged.
        var keepFrom = new StreamEntryID(lastDelivered.getTime(), lastDelivered.getSequence() + 1);
        var pending = redis.xpending(stream, Keys.GROUP);
        if (pending.getTotal() > 0 && pending.getMinId() != null && pending.getMinId().compareTo(keepFrom) < 0) {
            keepFrom = pending.getMinId();
        }
        return redis.xtrim(stream, XTrimParams.xTrimParams().minId(keepFrom.toString()));
    }
}
