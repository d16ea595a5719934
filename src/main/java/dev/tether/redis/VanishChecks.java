package dev.tether.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which of the runs a view shows active it asks Redis about on each pass of the vanished-record check
 * ({@link VanishedRuns}). With few runs, every one, every pass. With many, asking for every record
 * every 2 s was most of an idle view's CPU (and as many commands on Redis): 100,000 runs shown cost
 * 13 % of a core doing nothing. So each pass asks for a slice of them in turn, plus those found missing
 * before (a worker may write one back); a run newly found missing makes the next pass ask for every
 * one, because a Redis that lost one record after a restart has usually lost them all.
 * <p>
 * The runs shown are listed once per round, not on every pass: listing 100,000 of them every 2 s was
 * most of what an idle view's maintenance thread still did. A run shown after a round began waits for
 * the next round (at most about 200 s over 100,000 runs, as any run in a round may); a run that left
 * meanwhile is not asked about.
 *
 * <p>Not thread-safe: one view's maintenance thread calls it.
 */
final class VanishChecks {
    /** Runs asked about per pass when there are more: 100,000 shown are all asked about within 200 s. */
    static final int SLICE = 1_000;

    private boolean askEveryRun = true;
    private boolean askedEveryRun;
    /** The runs shown when this round began (or at the last pass that asked about every run); null: list them on the next pass. */
    private List<String> round;
    private int offset;
    private Set<String> missing = Set.of();

    /**
     * @param shownNow   lists the runs shown active now, in an order that changes little between calls
     * @param stillShown whether a run listed before (in this round, or found missing) is still shown active
     * @return the runs to ask about on this pass
     */
    List<String> next(Supplier<List<String>> shownNow, Predicate<String> stillShown) {
        if (askEveryRun || round == null || offset >= round.size()) round = shownNow.get();
        if (offset >= round.size()) offset = 0;
        askedEveryRun = askEveryRun || round.size() <= SLICE;
        askEveryRun = false;
        if (askedEveryRun) {
            var all = round;
            if (all.size() <= SLICE) round = null; // few: listed afresh on every pass
            return all;
        }
        var ask = new ArrayList<String>(SLICE + missing.size());
        for (var id : round.subList(offset, Math.min(round.size(), offset + SLICE))) if (stillShown.test(id)) ask.add(id);
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
