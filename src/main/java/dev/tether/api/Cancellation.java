package dev.tether.api;

import org.bsc.langgraph4j.RunnableConfig;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;

/**
 * What a node calls to cooperate with cancellation. The engine stops a run at the next node
 * boundary and interrupts the run's thread, but only the node itself can stop promptly from inside
 * work that ignores interrupts, or work it moved to another pool. Waits here return (by throwing
 * {@link RunCancelledException}) within milliseconds of a cancel, on any thread.
 *
 * <p>Get the token with {@link #current()} on the node's own thread (capture it before handing work
 * to another pool), or with {@link #from(RunnableConfig)} from the config a node receives.
 */
public interface Cancellation {

    /** Metadata key under which the engine puts the run's token into the {@link RunnableConfig}. */
    String CONFIG_KEY = "tether.cancellation";

    boolean isCancelled();

    /** @throws RunCancelledException if the run was cancelled */
    default void throwIfCancelled() {
        if (isCancelled()) throw new RunCancelledException("run cancelled");
    }

    /** Sleeps, but returns by throwing {@link RunCancelledException} as soon as the run is cancelled. */
    void sleep(Duration duration);

    /** Waits for {@code future}; on cancel the future is cancelled too and this throws. */
    <T> T await(Future<T> future) throws ExecutionException;

    /** Like {@link #await(Future)} with a bound on the wait. */
    <T> T await(Future<T> future, Duration timeout) throws ExecutionException, TimeoutException;

    /**
     * Runs {@code action} once, when the run is cancelled (at once if it already is). Close the
     * returned handle when the action is no longer needed.
     */
    Registration onCancel(Runnable action);

    /** Completes when the run is cancelled: handy with {@code CompletableFuture.anyOf}. */
    CompletableFuture<Void> whenCancelled();

    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** The token of the run executing on this thread, or {@link #none()} outside a run. */
    static Cancellation current() {
        return Holder.CURRENT.isBound() ? Holder.CURRENT.get() : NeverCancelled.INSTANCE;
    }

    /** The token the engine placed in a node's config, or {@link #none()}. */
    static Cancellation from(RunnableConfig config) {
        if (config == null) return NeverCancelled.INSTANCE;
        return config.metadata(CONFIG_KEY)
                .filter(Cancellation.class::isInstance)
                .map(Cancellation.class::cast)
                .orElse(NeverCancelled.INSTANCE);
    }

    /** A token that is never cancelled: waits are plain waits. */
    static Cancellation none() {
        return NeverCancelled.INSTANCE;
    }

    /** Runs {@code body} with {@code token} as {@link #current()}; used by engines and tests. */
    static <T> T callWith(Cancellation token, Callable<T> body) throws Exception {
        return ScopedValue.where(Holder.CURRENT, token).call(body::call);
    }

    /** Runs {@code body} with {@code token} as {@link #current()}. */
    static void runWith(Cancellation token, Runnable body) {
        ScopedValue.where(Holder.CURRENT, token).run(body);
    }

    final class Holder {
        private static final ScopedValue<Cancellation> CURRENT = ScopedValue.newInstance();

        private Holder() {}
    }
}
