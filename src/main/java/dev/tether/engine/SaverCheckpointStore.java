package dev.tether.engine;

import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Any LangGraph4j saver (MemorySaver, a database saver of the user's) as a {@link CheckpointStore}:
 * resume copies through the saver's own list and put; sizes and times are not known. Retention keeps
 * the checkpoints of the newest {@code runsKept} ended runs.
 */
public final class SaverCheckpointStore implements CheckpointStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SaverCheckpointStore.class);

    private final BaseCheckpointSaver saver;
    private final int runsKept;
    private final LinkedHashSet<String> kept = new LinkedHashSet<>();

    public SaverCheckpointStore(BaseCheckpointSaver saver, int runsKept) {
        this.saver = saver;
        this.runsKept = runsKept;
    }

    /** The saver as a store: itself when it is one already. */
    public static CheckpointStore of(BaseCheckpointSaver saver, int runsKept) {
        return saver instanceof CheckpointStore store ? store : new SaverCheckpointStore(saver, runsKept);
    }

    @Override
    public String where() {
        return saver.getClass().getSimpleName();
    }

    private static RunnableConfig thread(String runId) {
        return RunnableConfig.builder().threadId(runId).build();
    }

    /** The saver lists newest first; people and resume read oldest first. */
    private List<Checkpoint> oldestFirst(String runId) {
        var list = new ArrayList<>(saver.list(thread(runId)));
        java.util.Collections.reverse(list);
        return list;
    }

    @Override
    public List<CheckpointInfo> describe(String runId) {
        return oldestFirst(runId).stream()
                .map(c -> new CheckpointInfo(c.getId(), c.getNodeId(), c.getNextNodeId(), null, -1, null)).toList();
    }

    @Override
    public CheckpointInfo fork(String toRunId, dev.tether.run.ResumeOf from) {
        var fromRunId = from.runId();
        var all = oldestFirst(fromRunId);
        var chosen = CheckpointStore.choose(describe(fromRunId), from);
        var target = thread(toRunId);
        for (var c : all) {
            try {
                saver.put(target, Checkpoint.builder().id(c.getId()).nodeId(c.getNodeId()).nextNodeId(c.getNextNodeId())
                        .state(c.getState()).build());
            } catch (Exception e) {
                throw new IllegalStateException("could not copy the checkpoints of run " + fromRunId + ": " + e.getMessage(), e);
            }
            if (c.getId().equals(chosen.id())) break;
        }
        return chosen;
    }

    @Override
    public void ended(String runId, boolean discard, Set<String> live) {
        if (discard) {
            synchronized (kept) {
                kept.remove(runId);
            }
            release(runId);
            return;
        }
        var evict = new ArrayList<String>();
        synchronized (kept) {
            kept.add(runId);
            var it = kept.iterator();
            while (kept.size() - evict.size() > runsKept && it.hasNext()) {
                var oldest = it.next();
                if (!live.contains(oldest)) evict.add(oldest);
            }
            evict.forEach(kept::remove);
        }
        evict.forEach(this::release);
    }

    private void release(String runId) {
        try {
            saver.release(thread(runId));
        } catch (Exception e) {
            LOG.warn("could not release the checkpoints of run {}", runId, e);
        }
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        return saver.list(config);
    }

    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        return saver.get(config);
    }

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) throws Exception {
        return saver.put(config, checkpoint);
    }

    @Override
    public Tag release(RunnableConfig config) throws Exception {
        return saver.release(config);
    }
}
