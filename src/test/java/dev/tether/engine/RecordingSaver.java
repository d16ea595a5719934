package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.bsc.langgraph4j.checkpoint.MemorySaver;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real MemorySaver behind a check made at the moment of every write: is the run already reported
 * CANCELLED or STUCK? Such a write breaks the engine's promise and is recorded as a violation.
 */
final class RecordingSaver implements BaseCheckpointSaver {
    private final MemorySaver delegate = new MemorySaver();
    private volatile RunRegistry registry;
    final AtomicLong writes = new AtomicLong();
    final List<String> violations = new CopyOnWriteArrayList<>();

    void watch(RunRegistry registry) {
        this.registry = registry;
    }

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) throws Exception {
        writes.incrementAndGet();
        var reg = registry;
        var id = config.threadId().orElse("?");
        if (reg != null) {
            reg.get(id).ifPresent(s -> {
                if (s.status() == RunStatus.CANCELLED || s.status() == RunStatus.STUCK) {
                    violations.add("checkpoint after node " + checkpoint.getNodeId() + " of run " + id + " written when " + s.status());
                }
            });
        }
        return delegate.put(config, checkpoint);
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        return delegate.list(config);
    }

    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        return delegate.get(config);
    }

    @Override
    public Tag release(RunnableConfig config) throws Exception {
        return delegate.release(config);
    }
}
