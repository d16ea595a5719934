package dev.tether.redis;

import dev.tether.run.ActiveQuery;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;

/**
 * How one {@link ActiveQuery} reads the live index ({@link Keys#live()}, put.lua's {@code live()}): which
 * members it ranges over, and which of them are candidates. The members are {@code a:ID:DESCRIPTOR} (every
 * active run, its descriptor {@code status:worker:queue:graph}) and {@code s:|w:|q:|g:NAME:ID}.
 *
 * @param prefix the members' common start, {@code a:} or e.g. {@code w:worker-1:}
 * @param whole  whether they are the {@code a:} members (descriptors filter before any record is read)
 */
record LiveScan(String prefix, boolean whole) {
    /** Every member is ASCII: one that starts with a prefix sorts before the prefix and this character. */
    static final String AFTER_ASCII = "\u00ff";
    private static final int ID = RunIds.FULL_LENGTH;

    /** The most selective member family the query can range over. */
    static LiveScan of(ActiveQuery q) {
        if (plain(q.worker())) return new LiveScan("w:" + q.worker() + ":", false);
        if (plain(q.graph())) return new LiveScan("g:" + q.graph() + ":", false);
        if (plain(q.queue())) return new LiveScan("q:" + q.queue() + ":", false);
        if (q.statuses().size() == 1) return new LiveScan("s:" + q.statuses().iterator().next() + ":", false);
        return new LiveScan("a:", true);
    }

    /** The run id a member names, or null when it is not a candidate (another name's member, or a descriptor that does not match). */
    String candidate(String member, ActiveQuery q) {
        if (!whole) return member.length() == prefix.length() + ID ? member.substring(prefix.length()) : null;
        if (member.length() < 2 + ID + 1 || member.charAt(2 + ID) != ':') return null;
        return descriptorMatches(member.substring(3 + ID), q) ? member.substring(2, 2 + ID) : null;
    }

    /** The run id of a member of this family (where a page that stopped early goes on from). */
    String idOf(String member) {
        return whole ? member.substring(2, Math.min(member.length(), 2 + ID)) : member.substring(prefix.length());
    }

    /**
     * Whether a run with this descriptor may be wanted. A name that is not plain is indexed as '', so a
     * filter by such a name keeps every '' and the record decides.
     */
    private static boolean descriptorMatches(String descriptor, ActiveQuery q) {
        var parts = descriptor.split(":", 4);
        if (parts.length < 4) return true; // not written by the scripts: let the record decide
        if (!q.statuses().isEmpty() && q.statuses().stream().noneMatch(s -> s.name().equals(parts[0]))) return false;
        return fits(q.worker(), parts[1]) && fits(q.queue(), parts[2]) && fits(q.graph(), parts[3]);
    }

    private static boolean fits(String wanted, String indexed) {
        if (wanted == null) return true;
        return plain(wanted) ? wanted.equals(indexed) : indexed.isEmpty();
    }

    /**
     * What put.lua's head_field indexes as it is: a non-empty name without ':', '"', a backslash or a control
     * character (which the record's JSON escapes). Other characters go to Redis as the same UTF-8 bytes.
     */
    static boolean plain(String name) {
        return name != null && !name.isEmpty() && name.chars().allMatch(c -> c != ':' && c != '"' && c != '\\' && c >= 0x20);
    }

    /** The descriptor put.lua writes for {@code run} (the admin's backfill writes the same). */
    static String descriptor(RunSnapshot run) {
        return field(run.status() == null ? null : run.status().name()) + ":" + field(run.worker()) + ":" + field(run.queue()) + ":" + field(run.graphId());
    }

    /** The members put.lua's live_members writes for a run with this descriptor. */
    static java.util.List<String> members(String id, String descriptor) {
        var parts = descriptor.split(":", 4);
        var out = new java.util.ArrayList<>(java.util.List.of("a:" + id + ":" + descriptor, "s:" + parts[0] + ":" + id,
                "q:" + parts[2] + ":" + id, "g:" + parts[3] + ":" + id));
        if (!parts[1].isEmpty()) out.add("w:" + parts[1] + ":" + id);
        return out;
    }

    private static String field(String v) {
        return plain(v) ? v : "";
    }
}
