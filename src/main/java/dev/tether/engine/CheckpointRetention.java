package dev.tether.engine;

import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;

import java.util.LinkedHashSet;

/**
 * Keeps checkpoints bounded: a completed run's are released at once; those of runs that ended
 * otherwise (cancelled, failed, stuck) are kept for a resume, the newest {@code capacity} of them.
 */
final class CheckpointRetention {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointRetention.class);

    private final BaseCheckpointSaver saver;
    private final int capacity;
    private final LinkedHashSet<String> kept = new LinkedHashSet<>();

    CheckpointRetention(BaseCheckpointSaver saver, int capacity) {
        this.saver = saver;
        this.capacity = capacity;
    }

    void completed(String runId) {
        release(runId);
    }

    void keep(String runId) {
        String evict = null;
        synchronized (kept) {
            kept.add(runId);
            if (kept.size() > capacity) {
                evict = kept.removeFirst();
            }
        }
        if (evict != null) release(evict);
    }

    private void release(String runId) {
        try {
            saver.release(RunnableConfig.builder().threadId(runId).build());
        } catch (Exception e) {
            LOG.warn("could not release checkpoints of run {}", runId, e);
        }
    }
}
