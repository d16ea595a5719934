package dev.tether.engine;

import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;

import java.util.List;
import java.util.Set;

/**
 * A LangGraph4j checkpoint saver (one thread id per run) with what resume and the console need on
 * top: each run's checkpoints described, a resume's starting point copied from an earlier attempt,
 * and retention applied when a run ends.
 */
public interface CheckpointStore extends BaseCheckpointSaver {

    /** Where checkpoints live, for logs and the README's words: "memory", "sqlite:/…", "redis". */
    String where();

    /** Whether this store keeps Java-serialised states (only a store private to its user does). */
    default boolean keepsJavaStates() {
        return true;
    }

    /**
     * Keeps a checkpoint whose state arrives encoded (a child JVM's). A store of encoded states keeps
     * the bytes as they are; this default has to decode them (through {@link CheckpointCodec}'s filter,
     * for the graph named by {@link CheckpointCodec#decodingFor}), except a Java-serialised state it
     * could not keep anyway, which is refused unread.
     *
     * @throws IllegalArgumentException when the state cannot be kept here
     */
    default org.bsc.langgraph4j.RunnableConfig putEncoded(org.bsc.langgraph4j.RunnableConfig config, EncodedCheckpoint checkpoint)
            throws Exception {
        if (checkpoint.state().format() == CheckpointCodec.Format.JAVA && !keepsJavaStates()) {
            throw new IllegalArgumentException("state is not plain JSON, and " + where() + " keeps JSON states only");
        }
        return put(config, checkpoint.decode());
    }

    /**
     * The checkpoint {@link #get} would return, in its stored form: what a resume in a child JVM
     * starts from, so that only the child decodes it. This default encodes what {@code get} returns.
     */
    default java.util.Optional<EncodedCheckpoint> getEncoded(org.bsc.langgraph4j.RunnableConfig config) throws Exception {
        return get(config).map(EncodedCheckpoint::of);
    }

    /** The run's checkpoints, oldest first; unreadable ones are listed with their error. */
    List<CheckpointInfo> describe(String runId);

    /**
     * Copies run {@code fromRunId}'s checkpoints, oldest first, up to and including the one after
     * {@code afterNode} (its latest, when the node ran several times; the latest complete checkpoint
     * when {@code afterNode} is null) into run {@code toRunId}, whose own checkpoints continue from it.
     *
     * @return the checkpoint the new run starts from
     * @throws IllegalArgumentException when there is no such checkpoint, or it is unreadable (the
     *                                  message says which nodes can be resumed from)
     */
    default CheckpointInfo fork(String fromRunId, String toRunId, String afterNode) {
        return fork(toRunId, new dev.tether.run.ResumeOf(fromRunId, afterNode, null));
    }

    /** {@link #fork(String, String, String)} from the attempt a resume names: its exact checkpoint when it has one. */
    CheckpointInfo fork(String toRunId, dev.tether.run.ResumeOf from);

    /**
     * The run is over: a completed or rolled-back run's checkpoints go at once; those of any other
     * end are kept for a resume within the store's retention limits, which never touch {@code live} runs.
     */
    void ended(String runId, boolean discard, Set<String> live);

    /**
     * A rollback was asked of a run still live here. A store that outlives this process keeps it on
     * record, so that the run's end, even one found after a crash (LOST), discards its checkpoints;
     * the others need not: their checkpoints die with the process.
     */
    default void rollbackAsked(String runId) {
    }

    /** The resume point a resume names among {@code checkpoints} (oldest first): its checkpoint id if it has one. */
    static CheckpointInfo choose(List<CheckpointInfo> checkpoints, dev.tether.run.ResumeOf from) {
        if (from.checkpointId() == null) return choose(from.runId(), checkpoints, from.node());
        return checkpoints.stream().filter(c -> c.id().equals(from.checkpointId())).findFirst()
                .map(c -> choose(from.runId(), List.of(c), c.node()))
                .orElseThrow(() -> new IllegalArgumentException("the checkpoint after node '" + from.node() + "' of run "
                        + from.runId() + " is gone (rolled back or removed by retention)"));
    }

    /** Chooses the resume point among {@code checkpoints} (oldest first) as {@link #fork} describes. */
    static CheckpointInfo choose(String runId, List<CheckpointInfo> checkpoints, String afterNode) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("run " + runId + " has no checkpoints to resume from"
                    + " (it completed, was rolled back, ran without checkpoints, or they were removed by retention)");
        }
        CheckpointInfo chosen = null;
        for (int i = checkpoints.size() - 1; i >= 0 && chosen == null; i--) {
            var c = checkpoints.get(i);
            if (afterNode == null || afterNode.equals(c.node())) chosen = c;
        }
        var nodes = checkpoints.stream().filter(CheckpointInfo::readable).map(CheckpointInfo::node).distinct().toList();
        if (chosen == null) {
            throw new IllegalArgumentException("run " + runId + " has no checkpoint after node '" + afterNode
                    + "'; it can resume after: " + String.join(", ", nodes));
        }
        if (!chosen.readable()) {
            throw new IllegalArgumentException("the checkpoint of run " + runId + " after node '" + chosen.node()
                    + "' is unreadable (" + chosen.error() + ")" + (nodes.isEmpty() ? "" : "; it can resume after: " + String.join(", ", nodes)));
        }
        return chosen;
    }
}
