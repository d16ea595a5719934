package dev.tether.engine.process;

import dev.tether.engine.CheckpointInfo;
import dev.tether.engine.CheckpointStore;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The checkpoint store of a child JVM: every checkpoint is sent to the parent (whose store keeps it,
 * behind the parent's fence) and held here only while the run lasts, for LangGraph4j to read. A
 * resume's starting checkpoint arrives with the run request and is placed here before the run starts.
 */
final class ChildCheckpointStore implements CheckpointStore {
    private final Consumer<ChildMessage> toParent;
    private final ConcurrentHashMap<String, List<Checkpoint>> runs = new ConcurrentHashMap<>();
    /** Why a resume's starting checkpoint could not be read, by run: the run fails with it. */
    private final ConcurrentHashMap<String, String> unreadableStart = new ConcurrentHashMap<>();

    ChildCheckpointStore(Consumer<ChildMessage> toParent) {
        this.toParent = toParent;
    }

    /** The checkpoint a resume starts from (it is the parent's already: not sent back). */
    void seed(String runId, Checkpoint start) {
        runs.computeIfAbsent(runId, k -> new ArrayList<>()).add(start);
    }

    /** The checkpoint a resume should start from could not be read (damaged, or refused by the state filter). */
    void seedFailed(String runId, String why) {
        unreadableStart.put(runId, why);
    }

    private static String thread(RunnableConfig config) {
        return config.threadId().orElse(THREAD_ID_DEFAULT);
    }

    @Override
    public String where() {
        return "parent";
    }

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) {
        var runId = thread(config);
        var list = runs.computeIfAbsent(runId, k -> new ArrayList<>());
        synchronized (list) {
            var replace = config.checkPointId().orElse(null);
            if (replace != null) list.replaceAll(c -> c.getId().equals(replace) ? checkpoint : c);
            else list.add(checkpoint);
        }
        try {
            toParent.accept(ChildMessage.checkpoint(runId, WireCheckpoint.of(checkpoint)));
        } catch (IllegalArgumentException e) {
            System.err.println("tether child: run " + runId + ": checkpoint after " + checkpoint.getNodeId() + " not kept: " + e.getMessage());
        }
        return config.checkPointId().isPresent() ? config : RunnableConfig.builder(config).checkPointId(checkpoint.getId()).build();
    }

    private List<Checkpoint> of(String runId) {
        var list = runs.get(runId);
        if (list == null) return List.of();
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        return of(thread(config)).reversed();
    }

    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        var list = of(thread(config));
        var wanted = config.checkPointId().orElse(null);
        for (var c : list.reversed()) if (wanted == null || wanted.equals(c.getId())) return Optional.of(c);
        return Optional.empty();
    }

    @Override
    public Tag release(RunnableConfig config) {
        runs.remove(thread(config));
        return new Tag(thread(config), List.of());
    }

    @Override
    public List<CheckpointInfo> describe(String runId) {
        return of(runId).stream().map(c -> new CheckpointInfo(c.getId(), c.getNodeId(), c.getNextNodeId(), null, -1, null)).toList();
    }

    /** The parent copied the checkpoints and sent the starting one with the request: it is here already. */
    @Override
    public CheckpointInfo fork(String toRunId, dev.tether.run.ResumeOf from) {
        var start = of(toRunId);
        var unreadable = unreadableStart.remove(toRunId);
        if (unreadable != null) throw new IllegalStateException("the checkpoint to resume run " + from.runId() + " from is unreadable: " + unreadable);
        if (start.isEmpty()) throw new IllegalStateException("the parent sent no checkpoint to resume run " + from.runId() + " from");
        var c = start.getLast();
        return new CheckpointInfo(c.getId(), c.getNodeId(), c.getNextNodeId(), null, -1, null);
    }

    @Override
    public void ended(String runId, boolean discard, Set<String> live) {
        runs.remove(runId);
        unreadableStart.remove(runId);
    }
}
