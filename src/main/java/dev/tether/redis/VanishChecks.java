package dev.tether.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which of the runs a view shows active it asks Redis about on each pass of the vanished-record check
 * ({@link VanishedRuns}). With few runs, every one, every pass. With many, asking for every record
 * every 2 s was most of an idle view's CPU (and as many commands on Redis): 100,000 runs shown cost
 * 13 % of a core doing nothing. So each pass asks for a slice of them in turn, plus those found missing
 * before (a worker may write one back); a run newly found missing makes the next pass ask for every
 * one, because a Redis that lost one record after a restart has usually lost them all.
 *
 * <p>Not thread-safe: one view's maintenance thread calls it.
 */
final class VanishChecks {
    /** Runs asked about per pass when there are more: 100,000 shown are all asked about within 200 s. */
    static final int SLICE = 1_000;

    private boolean askEveryRun = true;
    private boolean askedEveryRun;
    private int offset;
    private Set<String> missing = Set.of();

    /**
     * @param shown   the runs shown active now, in an order that changes little between passes
     * @param stillShown whether a run found missing before is still shown active
     * @return the runs to ask about on this pass
     */
    List<String> next(List<String> shown, Predicate<String> stillShown) {
        askedEveryRun = askEveryRun || shown.size() <= SLICE;
        askEveryRun = false;
        if (askedEveryRun) return shown;
        if (offset >= shown.size()) offset = 0;
        var ask = new ArrayList<>(shown.subList(offset, Math.min(shown.size(), offset + SLICE)));
        offset += SLICE;
        var inSlice = new HashSet<>(ask);
        for (var id : missing) if (!inSlice.contains(id) && stillShown.test(id)) ask.add(id);
        return ask;
    }

    /** What the pass found: the runs asked about whose record Redis does not have. */
    void found(List<String> absent) {
        if (!askedEveryRun) {
            for (var id : absent) {
                if (!missing.contains(id)) {
                    askEveryRun = true;
                    break;
                }
            }
        }
        missing = Set.copyOf(absent);
    }
}
