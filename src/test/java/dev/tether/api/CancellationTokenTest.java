package dev.tether.api;

import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.testing.Hang;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.tether.testing.Hang.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** What a node author gets from {@link Cancellation}, observed from inside a real run. */
class CancellationTokenTest {
    private final BlockingQueue<Cancellation> tokens = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<Object> results = new ArrayBlockingQueue<>(1);
    private final RunRegistry registry = new RunRegistry();
    private LocalEngine engine;

    /** A one-node graph whose node hands its token to the test and then runs {@code body}. */
    private String runNode(java.util.function.Function<Cancellation, Object> body) {
        var def = new GraphDefinition() {
            public String id() { return "probe"; }
            public String title() { return "probe"; }
            public String description() { return "probe"; }
            public StateGraph<AgentState> build() throws GraphStateException {
                return new StateGraph<>(AgentState::new)
                        .addNode("probe", node_async(s -> {
                            var token = Cancellation.current();
                            tokens.add(token);
                            try {
                                results.add(body.apply(token));
                            } catch (RuntimeException e) {
                                results.add(e);
                                throw e;
                            }
                            return Map.of();
                        }))
                        .addEdge(START, "probe").addEdge("probe", END);
            }
        };
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(def), registry);
        return engine.submit("probe", null, Map.of()).runId();
    }

    /** A node body: waits on {@code slow} through its token ("cancelled" when a cancel ends the wait), noting its thread. */
    private static Object awaitOrCancelled(Cancellation token, java.util.concurrent.Future<String> slow,
                                           java.util.concurrent.atomic.AtomicReference<Thread> waiter) {
        waiter.set(Thread.currentThread());
        try {
            return token.await(slow);
        } catch (RunCancelledException e) {
            return "cancelled";
        } catch (Exception e) {
            return e;
        }
    }

    @AfterEach
    void close() {
        if (engine != null) engine.shutdown(Duration.ofSeconds(5));
    }

    /**
     * The cancel arrives while the node sleeps (its thread is seen waiting first) and ends the sleep:
     * it throws, long before the hour it was asked for. How soon (milliseconds) is measured by
     * CancelLatencyBench ("cooperative node (sleeps on its token)").
     */
    @Test
    void sleepEndsAtACancelWithRunCancelledException() throws Exception {
        var sleeper = new java.util.concurrent.atomic.AtomicReference<Thread>();
        var id = runNode(token -> {
            sleeper.set(Thread.currentThread());
            try {
                token.sleep(Duration.ofHours(1));
                return "slept";
            } catch (RunCancelledException e) {
                return e;
            }
        });
        var token = tokens.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        assertThat(token.isCancelled()).isFalse();
        eventually("the node sleeps").until(() -> sleeper.get() != null && sleeper.get().getState() == Thread.State.TIMED_WAITING);
        engine.cancel(id);
        assertThat(results.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isInstanceOf(RunCancelledException.class);
        assertThat(token.isCancelled()).isTrue();
        assertThatThrownBy(token::throwIfCancelled).isInstanceOf(RunCancelledException.class);
    }

    @Test
    void awaitCancelsTheFutureItWaitsFor() throws Exception {
        var slow = new CompletableFuture<String>();
        var id = runNode(token -> awaitOrCancelled(token, slow, new java.util.concurrent.atomic.AtomicReference<>()));
        tokens.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        engine.cancel(id);
        assertThat(results.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isEqualTo("cancelled");
        assertThat(slow).isCancelled();
    }

    /**
     * A cancel interrupts the node's thread before it runs the cancel actions (the interrupt is on the
     * latency's critical path). A wait that ends in between has closed its registration by the time
     * the actions run: the future it waited for is cancelled all the same. Held deterministically
     * here: the cancel is kept, inside its signal to whenCancelled(), until the node has returned.
     */
    @Test
    void awaitCancelsTheFutureEvenWhenTheWaitEndsBeforeTheCancelActionsRun() throws Exception {
        var slow = new CompletableFuture<String>();
        var waiter = new java.util.concurrent.atomic.AtomicReference<Thread>();
        var id = runNode(token -> awaitOrCancelled(token, slow, waiter));
        var token = tokens.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        eventually("the node waits").until(() -> waiter.get() != null && waiter.get().getState() == Thread.State.WAITING);
        token.whenCancelled().thenRun(() -> eventually("the node returned").until(() -> results.peek() != null));
        engine.cancel(id);
        assertThat(results.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isEqualTo("cancelled");
        assertThat(slow).isCancelled();
    }

    @Test
    void onCancelCallbacksRunOnceAndWhenCancelledCompletes() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        try {
            var fired = new AtomicBoolean();
            var id = runNode(token -> {
                token.onCancel(() -> fired.set(true));
                // work on another pool, stopped through the captured token
                return CompletableFuture.supplyAsync(() -> {
                    token.whenCancelled().join();
                    return "saw cancel";
                }, pool).join();
            });
            var token = tokens.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
            engine.cancel(id);
            assertThat(results.poll(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isEqualTo("saw cancel");
            assertThat(fired).isTrue();
            var late = new AtomicBoolean();
            token.onCancel(() -> late.set(true));
            assertThat(late).as("registered after the cancel: runs at once").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void outsideARunTheTokenIsNeverCancelled() throws Exception {
        var none = Cancellation.current();
        assertThat(none).isSameAs(Cancellation.none());
        assertThat(none.isCancelled()).isFalse();
        none.sleep(Duration.ofMillis(1));
        assertThat(none.await(CompletableFuture.completedFuture(7))).isEqualTo(7);
        assertThat(Cancellation.from(null)).isSameAs(Cancellation.none());
    }
}
