package dev.tether.control;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The request ids the server remembers: the newest ones, each answering its first run. */
class SubmitLedgerTest {

    @Test
    void theNewestIdsAreRememberedAndTheOldestForgotten() {
        var ledger = new SubmitLedger();
        var made = new AtomicInteger();
        java.util.function.Function<String, RunSnapshot> current = id -> null;
        for (int i = 0; i <= HttpContract.REMEMBERED_REQUEST_IDS; i++) {
            int n = i;
            ledger.submit("id-" + i, "f", () -> run(n, made), current);
        }
        assertThat(made.get()).isEqualTo(HttpContract.REMEMBERED_REQUEST_IDS + 1);

        var newest = ledger.submit("id-" + HttpContract.REMEMBERED_REQUEST_IDS, "f", () -> run(-1, made), current);
        assertThat(newest.replayed()).isTrue();
        assertThat(made.get()).isEqualTo(HttpContract.REMEMBERED_REQUEST_IDS + 1);

        var oldest = ledger.submit("id-0", "f", () -> run(-2, made), current);
        assertThat(oldest.replayed()).as("the oldest id was forgotten").isFalse();
    }

    private static RunSnapshot run(int n, AtomicInteger made) {
        made.incrementAndGet();
        var id = String.format("0190aaaa-0000-7000-8000-%012d", Math.abs(n));
        return new RunSnapshot(id, "g", "q", null, RunStatus.QUEUED, null, 0, Instant.EPOCH, null, null, null, null, null,
                Map.of(), List.of(), 1, false, null, null);
    }
}
