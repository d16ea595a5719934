package dev.tether.run;

import dev.tether.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A live view holds a snapshot of every active run (100,000 in the scale bench): what every run
 * repeats is held once, and the input compactly, without changing what a snapshot says or writes.
 */
class RunSnapshotFootprintTest {

    private static String record(String runId, String inputJson) {
        return """
                {"runId":"%s","graphId":"welcome-email","queue":"parked","worker":"w-host-1234","status":"CANCELLED",
                 "currentNode":"render","steps":2,"submittedAt":"2026-12-06T05:00:00Z","startedAt":"2026-12-06T05:00:01Z",
                 "endedAt":"2026-12-06T05:00:02Z","cancelledAtNode":"send","input":%s,
                 "timeline":[{"node":"render","startedAt":"2026-12-06T05:00:01Z","endedAt":"2026-12-06T05:00:02Z","outcome":"DONE"}],
                 "version":5,"forced":false}""".formatted(runId, inputJson);
    }

    @Test
    void namesThatRunsRepeatAreHeldOnceHoweverManyRecordsAreRead() {
        var a = Json.read(record("r-1", "{}"), RunSnapshot.class);
        var b = Json.read(record("r-2", "{}"), RunSnapshot.class);

        assertThat(b.graphId()).isSameAs(a.graphId());
        assertThat(b.queue()).isSameAs(a.queue());
        assertThat(b.worker()).isSameAs(a.worker());
        assertThat(b.currentNode()).isSameAs(a.currentNode());
        assertThat(b.cancelledAtNode()).isSameAs(a.cancelledAtNode());
        assertThat(b.timeline().getFirst().node()).isSameAs(a.timeline().getFirst().node()).isSameAs(a.currentNode());
        assertThat(b.runId()).isNotSameAs(a.runId()); // an id is one run's own
    }

    @Test
    void pastItsBoundANewNameIsHeldByItsRunsAsBeforeAndTheNamesAlreadyHeldStayShared() {
        var names = new Shared(2);
        var a = names.hold(new String("a"));
        var b = names.hold(new String("b"));
        var c = new String("c");

        assertThat(names.hold(new String("a"))).isSameAs(a);
        assertThat(names.hold(new String("b"))).isSameAs(b);
        assertThat(names.hold(c)).isSameAs(c);
        assertThat(names.hold(new String("c"))).isEqualTo("c").isNotSameAs(c);
        assertThat(names.hold(null)).isNull();
    }

    @Test
    void threadsReadingTheSameNamesAtOnceAllGetTheOneCopy() throws Exception {
        var names = new Shared(1_000);
        int threads = 8, each = 200;
        var got = new String[threads][each];
        var start = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int me = t;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) got[me][i] = names.hold(new String("node-" + i));
                    return null;
                });
            }
            start.countDown();
        }
        for (int i = 0; i < each; i++) {
            for (int t = 1; t < threads; t++) assertThat(got[t][i]).isSameAs(got[0][i]).isEqualTo("node-" + i);
        }
    }

    @Test
    void anInputKeepsItsKeysInOrderAndEqualsTheMapItWasReadAs() {
        var json = "{\"zeta\":1,\"alpha\":\"x\",\"none\":null,\"nested\":{\"b\":2,\"a\":1},\"list\":[3,1],\"mid\":true}";
        var s = Json.read(record("r-1", json), RunSnapshot.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> asRead = Json.read(json, LinkedHashMap.class);

        assertThat(s.input()).isInstanceOf(CompactInput.class);
        assertThat(new ArrayList<>(s.input().keySet())).containsExactly("zeta", "alpha", "none", "nested", "list", "mid");
        assertThat(s.input()).isEqualTo(asRead);
        assertThat(asRead).isEqualTo(s.input());
        assertThat(s.input().hashCode()).isEqualTo(asRead.hashCode());
        assertThat(s.input()).containsKey("none").doesNotContainKey("missing");
        assertThat(s.input().get("none")).isNull();
        assertThat(s.input().get("alpha")).isEqualTo("x");
        assertThat(s.input().get(null)).isNull();
        // written back exactly as it came, in the same order
        assertThat(Json.write(s)).contains("\"input\":" + json);
        assertThat(Json.read(Json.write(s), RunSnapshot.class)).isEqualTo(s);
    }

    @Test
    void anInputCannotBeChangedThroughTheSnapshot() {
        var s = Json.read(record("r-1", "{\"a\":1,\"b\":2}"), RunSnapshot.class);

        assertThatThrownBy(() -> s.input().put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.input().remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.input().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> {
            var it = s.input().entrySet().iterator();
            it.next();
            it.remove();
        }).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.input().entrySet().iterator().next().setValue(9)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.input()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
    }

    @Test
    void aLargeInputKeepsItsHashedMapAndAnEmptyOneIsTheSharedEmptyMap() {
        var large = new LinkedHashMap<String, Object>();
        IntStream.range(0, CompactInput.MAX_KEYS + 1).forEach(i -> large.put("k" + i, i));
        var request = new RunEvent.Submitted("r-1", "g", "q", large, Instant.EPOCH);
        var input = RunStateMachine.apply(null, request).input();
        assertThat(input).isNotInstanceOf(CompactInput.class).isEqualTo(large);
        assertThat(new ArrayList<>(input.keySet())).containsExactlyElementsOf(large.keySet());

        var empty = Json.read(record("r-2", "{}"), RunSnapshot.class);
        assertThat(empty.input()).isSameAs(Map.of());
    }

    @Test
    void anInputGivenInCodeWithANullKeyKeepsAndFindsIt() {
        var given = new LinkedHashMap<String, Object>();
        given.put("a", 1);
        given.put(null, "no name");
        var input = RunStateMachine.apply(null, new RunEvent.Submitted("r-1", "g", "q", given, Instant.EPOCH)).input();

        assertThat(input).isInstanceOf(CompactInput.class).isEqualTo(given);
        assertThat(input.get(null)).isEqualTo("no name");
        assertThat(input.containsKey(null)).isTrue();
        assertThat(input.get("b")).isNull();
    }

    @Test
    void anEmptyTimelineIsTheOneSharedEmptyList() {
        var queued = Json.read(record("r-1", "{}").replaceAll("\"timeline\":\\[.*?]", "\"timeline\":[]"), RunSnapshot.class);
        assertThat(queued.timeline()).isSameAs(List.of());
    }

    @Test
    void aRunThroughTheStateMachineKeepsItsCompactInputWithoutCopyingItAgain() {
        var submitted = RunStateMachine.apply(null, new RunEvent.Submitted("r-1", "g", "q", Map.of("n", 3), Instant.EPOCH));
        var running = RunStateMachine.apply(submitted, new RunEvent.Started("r-1", "w", Instant.EPOCH));
        var inNode = RunStateMachine.apply(running, new RunEvent.NodeStarted("r-1", "a", Instant.EPOCH));

        assertThat(submitted.input()).isInstanceOf(CompactInput.class).isEqualTo(Map.of("n", 3));
        assertThat(inNode.input()).isSameAs(submitted.input());
    }
}
