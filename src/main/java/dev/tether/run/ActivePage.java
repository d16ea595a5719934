package dev.tether.run;

import java.util.List;

/** A page of active runs in id order, and the cursor of the next page: null when there is none. */
public record ActivePage(List<RunSnapshot> runs, String next) {
    public ActivePage {
        runs = runs == null ? List.of() : List.copyOf(runs);
    }
}
