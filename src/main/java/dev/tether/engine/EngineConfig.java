package dev.tether.engine;

import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.MemorySaver;

import java.time.Duration;
import java.util.Objects;

/**
 * How an engine runs. Parts are given, not built: the checkpoint saver (null for none) and, for a
 * worker, the run source.
 *
 * @param concurrency          runs executing at once, one thread each
 * @param queueCapacity        local requests waiting for a slot before submit refuses more
 * @param cancelGrace          how long a cancelled run may take to stop before it is STUCK
 * @param workerName           shown in every run's "worker" column
 * @param checkpointSaver      where LangGraph4j checkpoints go; null disables checkpoints
 * @param checkpointsKept      finished-but-not-completed runs whose checkpoints are kept for resume
 * @param recursionLimit       node executions allowed per run
 * @param isolation            which graphs run on a slot thread and which in a child JVM
 * @param policies             the run policies set per graph and per queue ({@code policies.properties});
 *                             a submit resolves each run's policy with them
 */
public record EngineConfig(int concurrency, int queueCapacity, Duration cancelGrace, String workerName,
                           BaseCheckpointSaver checkpointSaver, int checkpointsKept, int recursionLimit,
                           IsolationPolicy isolation, dev.tether.policy.PolicyBook policies) {

    public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(5);

    public EngineConfig {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be at least 1");
        Objects.requireNonNull(cancelGrace, "cancelGrace");
        if (cancelGrace.isNegative()) throw new IllegalArgumentException("cancel grace must not be negative");
        Objects.requireNonNull(workerName, "workerName");
        if (isolation == null) isolation = IsolationPolicy.threads();
        if (policies == null) policies = dev.tether.policy.PolicyBook.empty();
    }

    public EngineConfig(int concurrency, int queueCapacity, Duration cancelGrace, String workerName,
                        BaseCheckpointSaver checkpointSaver, int checkpointsKept, int recursionLimit, IsolationPolicy isolation) {
        this(concurrency, queueCapacity, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, isolation, null);
    }

    /** Every graph on slot threads (the form before process isolation existed). */
    public EngineConfig(int concurrency, int queueCapacity, Duration cancelGrace, String workerName,
                        BaseCheckpointSaver checkpointSaver, int checkpointsKept, int recursionLimit) {
        this(concurrency, queueCapacity, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, null);
    }

    /** Embedded defaults: 4 slots (the seed's worker used 2 on a smaller box), memory checkpoints. */
    public static EngineConfig defaults() {
        return new EngineConfig(4, 100_000, DEFAULT_CANCEL_GRACE, "local", new MemorySaver(), 1_000, 100, IsolationPolicy.threads());
    }

    public EngineConfig withConcurrency(int n) {
        return new EngineConfig(n, queueCapacity, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, isolation, policies);
    }

    public EngineConfig withQueueCapacity(int n) {
        return new EngineConfig(concurrency, n, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, isolation, policies);
    }

    public EngineConfig withCancelGrace(Duration grace) {
        return new EngineConfig(concurrency, queueCapacity, grace, workerName, checkpointSaver, checkpointsKept, recursionLimit, isolation, policies);
    }

    public EngineConfig withWorkerName(String name) {
        return new EngineConfig(concurrency, queueCapacity, cancelGrace, name, checkpointSaver, checkpointsKept, recursionLimit, isolation, policies);
    }

    public EngineConfig withCheckpointSaver(BaseCheckpointSaver saver) {
        return new EngineConfig(concurrency, queueCapacity, cancelGrace, workerName, saver, checkpointsKept, recursionLimit, isolation, policies);
    }

    public EngineConfig withPolicies(dev.tether.policy.PolicyBook book) {
        return new EngineConfig(concurrency, queueCapacity, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, isolation, book);
    }

    public EngineConfig withIsolation(IsolationPolicy policy) {
        return new EngineConfig(concurrency, queueCapacity, cancelGrace, workerName, checkpointSaver, checkpointsKept, recursionLimit, policy, policies);
    }
}
