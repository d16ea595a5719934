package dev.tether.engine.process;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tether.engine.RunRequest;
import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;

/**
 * One line between a parent and its child JVM on their {@link ChildChannel}, as JSON.
 * Parent to child: {@code run} (a request; a resume's carries its starting checkpoint), {@code stop}
 * (a run id and level). Child to parent: {@code ready} (once its graphs are loaded: its pid, the
 * nonce it was given, whether it became a subreaper and leads its own session), {@code event} (a fact
 * about its run, as its own state machine applied it), {@code checkpoint} (one its run wrote),
 * then, after its run's end and once whatever the run started is gone, {@code idle} (ready for the
 * next run) or {@code retire} (it cannot be reused: {@code detail} says why).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChildMessage(String op, RunRequest request, String runId, StopLevel level, RunEvent event, Long pid,
                           WireCheckpoint checkpoint, String nonce, Boolean subreaper, Boolean session, String detail) {
    public static final String RUN = "run", STOP = "stop", READY = "ready", EVENT = "event", CHECKPOINT = "checkpoint",
            IDLE = "idle", RETIRE = "retire";

    public static ChildMessage run(RunRequest request) {
        return run(request, null);
    }

    /** @param start for a resume: the checkpoint it starts from */
    public static ChildMessage run(RunRequest request, WireCheckpoint start) {
        return new ChildMessage(RUN, request, request.runId(), null, null, null, start, null, null, null, null);
    }

    public static ChildMessage stop(String runId, StopLevel level) {
        return new ChildMessage(STOP, null, runId, level, null, null, null, null, null, null, null);
    }

    public static ChildMessage ready(long pid, String nonce, boolean subreaper, boolean session) {
        return new ChildMessage(READY, null, null, null, null, pid, null, nonce, subreaper, session, null);
    }

    public static ChildMessage event(RunEvent event) {
        return new ChildMessage(EVENT, null, event.runId(), null, event, null, null, null, null, null, null);
    }

    /** A checkpoint the child's run wrote; the parent's store keeps it. */
    public static ChildMessage checkpoint(String runId, WireCheckpoint checkpoint) {
        return new ChildMessage(CHECKPOINT, null, runId, null, null, null, checkpoint, null, null, null, null);
    }

    public static ChildMessage idle() {
        return new ChildMessage(IDLE, null, null, null, null, null, null, null, null, null, null);
    }

    public static ChildMessage retire(String why) {
        return new ChildMessage(RETIRE, null, null, null, null, null, null, null, null, null, why);
    }

    public String toLine() {
        return Json.write(this);
    }

    /** @throws IllegalArgumentException when the line is not a message */
    public static ChildMessage parse(String line) {
        var m = Json.read(line, ChildMessage.class);
        if (m == null || m.op() == null) throw new IllegalArgumentException("no op");
        return m;
    }
}
