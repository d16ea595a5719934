package dev.tether.console;

import dev.tether.run.RunSnapshot;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Finished runs, newest first, bounded like the registry's own history. FX thread only. */
final class HistoryModel {
    private final ObservableList<RunSnapshot> runs = FXCollections.observableArrayList();
    private final ObservableList<RunSnapshot> readOnly = FXCollections.unmodifiableObservableList(runs);
    private final Set<String> ids = new HashSet<>();
    private final int capacity;

    HistoryModel(int capacity) {
        this.capacity = capacity;
    }

    /** Read-only: {@link #add} is the only way in. */
    ObservableList<RunSnapshot> runs() {
        return readOnly;
    }

    void add(List<RunSnapshot> finished) {
        var fresh = new ArrayList<RunSnapshot>(finished.size());
        for (var r : finished) if (r.isTerminal() && ids.add(r.runId())) fresh.add(r);
        if (fresh.isEmpty()) return;
        fresh.sort(Comparator.comparing(RunSnapshot::endedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        runs.addAll(0, fresh);
        int over = runs.size() - capacity;
        if (over > 0) {
            var dropped = runs.subList(capacity, runs.size());
            for (var r : dropped) ids.remove(r.runId());
            dropped.clear();
        }
    }
}
