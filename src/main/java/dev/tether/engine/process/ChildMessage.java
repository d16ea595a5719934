package dev.tether.engine.process;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tether.engine.RunRequest;
import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;

/**
 * One line between a parent and its child JVM, as JSON. Parent to child: {@code run} (a request),
 * {@code stop} (a run id and level). Child to parent: {@code ready} (its pid, once graphs are
 * loaded), {@code event} (a fact about the run, as the child's own state machine applied it),
 * {@code checkpoint} (one its run wrote). A {@code run} of a resume carries its starting checkpoint.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChildMessage(String op, RunRequest request, String runId, StopLevel level, RunEvent event, Long pid,
                           WireCheckpoint checkpoint) {
    public static final String RUN = "run", STOP = "stop", READY = "ready", EVENT = "event", CHECKPOINT = "checkpoint";

    public static ChildMessage run(RunRequest request) {
        return run(request, null);
    }

    /** @param start for a resume: the checkpoint it starts from */
    public static ChildMessage run(RunRequest request, WireCheckpoint start) {
        return new ChildMessage(RUN, request, request.runId(), null, null, null, start);
    }

    public static ChildMessage stop(String runId, StopLevel level) {
        return new ChildMessage(STOP, null, runId, level, null, null, null);
    }

    public static ChildMessage ready(long pid) {
        return new ChildMessage(READY, null, null, null, null, pid, null);
    }

    public static ChildMessage event(RunEvent event) {
        return new ChildMessage(EVENT, null, event.runId(), null, event, null, null);
    }

    /** A checkpoint the child's run wrote; the parent's store keeps it. */
    public static ChildMessage checkpoint(String runId, WireCheckpoint checkpoint) {
        return new ChildMessage(CHECKPOINT, null, runId, null, null, null, checkpoint);
    }

    public String toLine() {
        return Json.write(this);
    }

    public static ChildMessage parse(String line) {
        return Json.read(line, ChildMessage.class);
    }
}
