package dev.tether.engine;

import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Wraps the engine's checkpoint saver so that no checkpoint of a run is written once the run is
 * reported terminal. LangGraph4j still writes a checkpoint for a node that finishes after a cancel
 * (seconds later for an async node on another pool); that write is dropped here, so a resumed run
 * restarts from the node it was cancelled at.
 */
final class FencedCheckpointSaver implements BaseCheckpointSaver {
    private final CheckpointStore delegate;
    private final Function<String, RunControl> controls;
    private final LongAdder dropped = new LongAdder();

    FencedCheckpointSaver(CheckpointStore delegate, Function<String, RunControl> controls) {
        this.delegate = delegate;
        this.controls = controls;
    }

    CheckpointStore delegate() {
        return delegate;
    }

    long dropped() {
        return dropped.sum();
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        return delegate.list(config);
    }

    /** Metadata key set on a first attempt's config: it has no checkpoint to read, so none is looked up. */
    static final String FRESH_RUN = "tether.fresh-run";

    /**
     * LangGraph4j reads the thread's latest checkpoint as every run starts; a first attempt has none,
     * and asking a remote store for it would let a blip of that store fail a run that needs nothing.
     */
    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        if (Boolean.TRUE.equals(config.metadata(FRESH_RUN).orElse(null))) return Optional.empty();
        return delegate.get(config);
    }

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) throws Exception {
        var control = controls.apply(threadId(config));
        if (control == null) {
            dropped.increment(); // the run is over: nothing may be written for it any more
            return config;
        }
        var result = control.whileOpen(() -> delegate.put(config, checkpoint), null);
        if (result == null) {
            dropped.increment();
            return config;
        }
        return result;
    }

    /** A child JVM's checkpoint, kept encoded, behind the same fence as {@link #put}. */
    RunnableConfig putEncoded(RunnableConfig config, EncodedCheckpoint checkpoint) throws Exception {
        var control = controls.apply(threadId(config));
        var result = control == null ? null : control.whileOpen(() -> delegate.putEncoded(config, checkpoint), null);
        if (result == null) {
            dropped.increment();
            return config;
        }
        return result;
    }

    @Override
    public Tag release(RunnableConfig config) throws Exception {
        return delegate.release(config);
    }
}
