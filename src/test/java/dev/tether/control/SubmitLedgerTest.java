package dev.tether.control;

import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tether.testing.Hang.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Idempotent submits: what the ledger keeps, and who waits for whom. */
class SubmitLedgerTest {
    private final Map<String, RunSnapshot> runs = new ConcurrentHashMap<>();

    private RunSnapshot newRun() {
        var id = RunIds.next();
        var run = RunStateMachine.apply(null, new RunEvent.Submitted(id, "welcome-email", "email", Map.of(), Instant.now()));
        runs.put(id, run);
        return run;
    }

    @Test
    void everyRememberedRequestKeepsADigestAndARunIdWhateverTheRequestsSize() throws Exception {
        var ledger = new SubmitLedger();
        var big = "x".repeat(60_000);
        for (int i = 0; i < HttpContract.REMEMBERED_REQUEST_IDS + 100; i++) {
            ledger.submit("req-" + i, "[\"welcome-email\",null,{\"to\":\"" + big + i + "\"},{}]", this::newRun, runs::get);
        }
        // 10,000 ids of at most 128 characters, 43-character digests and 36-character run ids: under 2 MiB
        assertThat(ledger.heldChars()).isLessThan(HttpContract.REMEMBERED_REQUEST_IDS * (128L + 43 + 36));
        var first = ledger.submit("req-" + HttpContract.REMEMBERED_REQUEST_IDS, "[\"welcome-email\",null,{\"to\":\"" + big
                + HttpContract.REMEMBERED_REQUEST_IDS + "\"},{}]", () -> { throw new AssertionError("submitted twice"); }, runs::get);
        assertThat(first.replayed()).isTrue();
        assertThatThrownBy(() -> ledger.submit("req-" + HttpContract.REMEMBERED_REQUEST_IDS, "[\"other\"]", this::newRun, runs::get))
                .hasMessageContaining("already used for a different submit");
    }

    @Test
    void aSlowSubmitHoldsUpOnlyTheSubmitsWithItsRequestId() throws Exception {
        var ledger = new SubmitLedger();
        var release = new CountDownLatch(1);
        var calls = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var slow = CompletableFuture.supplyAsync(() -> call(ledger, "slow", () -> {
                calls.incrementAndGet();
                await(release);
                return newRun();
            }), pool);
            eventually("the slow submit is under way").until(() -> calls.get() == 1);
            var sameId = CompletableFuture.supplyAsync(() -> call(ledger, "slow", () -> {
                calls.incrementAndGet();
                return newRun();
            }), pool);
            // another id goes through while the slow one is still under way (one lock for all had held it)
            var other = call(ledger, "quick", this::newRun);
            assertThat(other.replayed()).isFalse();
            assertThat(slow).isNotDone();
            assertThat(sameId).isNotDone();
            release.countDown();
            var a = slow.join();
            var b = sameId.join();
            assertThat(b.run().runId()).as("the same id answers the same run").isEqualTo(a.run().runId());
            assertThat(b.replayed()).isTrue();
            assertThat(calls.get()).as("submitted once").isEqualTo(1);
        }
    }

    private SubmitLedger.Outcome call(SubmitLedger ledger, String id, java.util.function.Supplier<RunSnapshot> submit) {
        try {
            return ledger.submit(id, "[\"welcome-email\"]", submit, runs::get);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
