package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A run's chain of attempts: back along {@code resumeOf} to the first, then every later resume known. */
public final class Attempts {
    private static final int MAX = 1_000; // a chain is followed at most this far (a damaged record could loop)

    private Attempts() {}

    public static List<RunSnapshot> of(String runId, Function<String, Optional<RunSnapshot>> lookup, RunRegistry registry) {
        return of(runId, lookup, ids -> registry.select(r -> r.resumeOf() != null && ids.contains(r.resumeOf().runId())));
    }

    /** @param resuming the runs that resume any of the given runs (an engine that mirrors nothing asks an index) */
    public static List<RunSnapshot> of(String runId, Function<String, Optional<RunSnapshot>> lookup,
                                       Function<Set<String>, List<RunSnapshot>> resuming) {
        var chain = new ArrayList<RunSnapshot>();
        var seen = new HashSet<String>();
        var current = lookup.apply(runId).orElse(null);
        while (current != null && seen.add(current.runId()) && chain.size() < MAX) {
            chain.add(current);
            current = current.resumeOf() == null ? null : lookup.apply(current.resumeOf().runId()).orElse(null);
        }
        var frontier = Set.copyOf(seen);
        while (!frontier.isEmpty() && chain.size() < MAX) { // the resumes of the runs found last, until none is new
            var next = new HashSet<String>();
            for (var r : resuming.apply(frontier)) {
                if (seen.add(r.runId())) {
                    chain.add(r);
                    next.add(r.runId());
                }
            }
            frontier = next;
        }
        chain.sort(Comparator.comparing(RunSnapshot::submittedAt).thenComparing(RunSnapshot::runId));
        return chain;
    }
}
