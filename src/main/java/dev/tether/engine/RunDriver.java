package dev.tether.engine;

import dev.tether.run.RunSnapshot;

/** Executes one started run to its end, on the calling slot thread, wherever the graph itself runs. */
interface RunDriver {
    /** @return the terminal snapshot, or null when another party ended the run (e.g. STUCK) */
    RunSnapshot drive(RunRequest request, RunControl control);
}
