package dev.tether.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.run.CancelOrigin;
import dev.tether.run.ErrorInfo;
import dev.tether.run.NodeSpan;
import dev.tether.run.ResumeOf;
import dev.tether.run.Retry;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot's JSON is the same text whether Jackson's bean rules write it or the hand-written
 * serializer does: stored records, events, the API and the command line all carry it, and readers
 * of every version read it by those names and that order (the Redis scripts read its head as text).
 */
class RunSnapshotSerializerTest {
    private static final ObjectMapper BEAN_RULES = Json.byBeanRules();
    private static final Instant T = Instant.parse("2026-12-07T08:01:02.123456789Z");

    @Test
    void everyFieldSetIsWrittenAsTheBeanRulesWriteIt() throws Exception {
        var input = new LinkedHashMap<String, Object>();
        input.put("text", "a \"quoted\" line\nand é");
        input.put("int", 7);
        input.put("long", 1L << 40);
        input.put("yes", true);
        input.put("ratio", 0.25);
        input.put("nothing", null);
        input.put("nested", Map.of("k", List.of(1, "two")));
        var policy = RunPolicy.ofRun(Map.of("max-runtime", "10m", "retries", "2", "retry-on", "failed,lost"));
        var s = new RunSnapshot("0195f3a2-run", "book-workflow", "fast", "w-1", RunStatus.CANCELLED, "review", 3,
                T, T.plusMillis(5), T.plusSeconds(2), T.plusSeconds(1), "review",
                new ErrorInfo("java.io.IOException", "reset", "java.io.IOException: reset\n\tat x.y(Z.java:1)"), input,
                List.of(new NodeSpan("fetch", T, T.plusMillis(3), NodeSpan.Outcome.DONE),
                        new NodeSpan("review", T.plusMillis(3), T.plusSeconds(2), NodeSpan.Outcome.CANCELLED)),
                9, true, StopLevel.KILL, CancelOrigin.DEADLINE, new ResumeOf("0195f3a1-old", "fetch", "cp-1"),
                "max-runtime 10m", policy, new Retry("0195f3a0-first", 2, 3, T, "FAILED: IOException: reset"), "queue fast at its limit (2)");

        assertWrittenAsBeanRulesWriteIt(s);
        assertThat(Json.write(s)).startsWith("{\"runId\":\"0195f3a2-run\",\"graphId\":\"book-workflow\",\"queue\":\"fast\",\"worker\":\"w-1\",\"status\":\"CANCELLED\",");
    }

    @Test
    void everyFieldThatCanBeEmptyIsWrittenEmptyAsTheBeanRulesWriteIt() throws Exception {
        assertWrittenAsBeanRulesWriteIt(new RunSnapshot("r", null, null, null, null, null, 0, null, null, null, null, null,
                null, null, null, 0, false, null, null, null, null, null, null, null));
        var running = new NodeSpan("spin", T, null, NodeSpan.Outcome.RUNNING);
        assertWrittenAsBeanRulesWriteIt(new RunSnapshot("r", "g", "q", "w", RunStatus.RUNNING, "spin", 1, T, T, null, null, null,
                null, Map.of("k", "v"), List.of(running), 4, false, null, null, null, null, RunPolicy.NONE, null, null));
    }

    @Test
    void anyMixOfFieldsIsWrittenAsTheBeanRulesWriteIt() throws Exception {
        var random = new Random(20261207);
        for (int i = 0; i < 2_000; i++) assertWrittenAsBeanRulesWriteIt(randomSnapshot(random));
    }

    @Test
    void aPrettyPrinterLaysItOutAsItDoesTheBeanRulesOutput() throws Exception {
        var s = randomSnapshot(new Random(7));
        assertThat(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(s))
                .isEqualTo(BEAN_RULES.writerWithDefaultPrettyPrinter().writeValueAsString(s));
    }

    @Test
    void snapshotsInsideOtherValuesAreWrittenTheSame() throws Exception {
        var s = randomSnapshot(new Random(11));
        var page = Map.of("runs", List.of(s, s), "next", "cursor");
        assertThat(Json.mapper().writeValueAsString(page)).isEqualTo(BEAN_RULES.writeValueAsString(page));
    }

    @Test
    void eachValueOfASnapshotIsWrittenAloneAsTheMapperWritesIt() throws Exception {
        // what a run's change carries: some fields of a snapshot, and node spans
        var random = new Random(3);
        for (int i = 0; i < 500; i++) {
            var s = randomSnapshot(random);
            for (var field : RunSnapshot.class.getRecordComponents()) assertValueWrittenAsTheMapperWritesIt(field.getAccessor().invoke(s));
            for (var span : s.timeline()) assertValueWrittenAsTheMapperWritesIt(span);
        }
    }

    private static void assertValueWrittenAsTheMapperWritesIt(Object value) throws Exception {
        var out = new java.io.StringWriter();
        try (var g = Json.mapper().createGenerator(out)) {
            Json.writeValue(g, value);
        }
        assertThat(out.toString()).as("value %s", value).isEqualTo(BEAN_RULES.writeValueAsString(value));
    }

    private static void assertWrittenAsBeanRulesWriteIt(RunSnapshot s) throws Exception {
        var expected = BEAN_RULES.writeValueAsString(s);
        assertThat(Json.write(s)).as("snapshot %s", s).isEqualTo(expected);
    }

    private static RunSnapshot randomSnapshot(Random r) {
        var statuses = RunStatus.values();
        var spans = new ArrayList<NodeSpan>();
        for (int i = r.nextInt(5); i > 0; i--) {
            var outcome = NodeSpan.Outcome.values()[r.nextInt(NodeSpan.Outcome.values().length)];
            spans.add(new NodeSpan(text(r), instant(r), outcome == NodeSpan.Outcome.RUNNING ? null : instant(r), outcome));
        }
        var input = new LinkedHashMap<String, Object>();
        for (int i = r.nextInt(4); i > 0; i--) {
            input.put(text(r) + i, switch (r.nextInt(6)) {
                case 0 -> text(r);
                case 1 -> r.nextInt();
                case 2 -> r.nextLong();
                case 3 -> r.nextBoolean();
                case 4 -> r.nextDouble();
                default -> List.of(text(r), r.nextInt(100));
            });
        }
        return new RunSnapshot("0195f3a2-" + r.nextInt(1_000_000), maybe(r, text(r)), maybe(r, text(r)), maybe(r, text(r)),
                maybe(r, statuses[r.nextInt(statuses.length)]), maybe(r, text(r)), r.nextInt(1_000), maybe(r, instant(r)),
                maybe(r, instant(r)), maybe(r, instant(r)), maybe(r, instant(r)), maybe(r, text(r)),
                maybe(r, new ErrorInfo(text(r), text(r), text(r))), input, spans, r.nextLong(1, Long.MAX_VALUE), r.nextBoolean(),
                maybe(r, StopLevel.values()[r.nextInt(StopLevel.values().length)]),
                maybe(r, CancelOrigin.values()[r.nextInt(CancelOrigin.values().length)]),
                maybe(r, new ResumeOf(text(r), maybe(r, text(r)), maybe(r, text(r)))), maybe(r, text(r)),
                maybe(r, RunPolicy.ofRun(Map.of("max-steps", Integer.toString(1 + r.nextInt(50))))),
                maybe(r, new Retry(text(r), 2, 3, instant(r), text(r))), maybe(r, text(r)));
    }

    private static <T> T maybe(Random r, T value) {
        return r.nextBoolean() ? value : null;
    }

    private static String text(Random r) {
        var words = new String[]{"fetch", "review", "w-1", "a \"b\"", "tab\there", "ünï", "emoji \uD83D\uDE00", "", "x:y"};
        return words[r.nextInt(words.length)];
    }

    private static Instant instant(Random r) {
        // whole seconds, milliseconds, microseconds and nanoseconds all occur; a few before 1970
        var at = T.plusSeconds(r.nextInt(2_000_000) - 1_000_000);
        return switch (r.nextInt(4)) {
            case 0 -> at.plusNanos(0);
            case 1 -> at.plusMillis(r.nextInt(1_000));
            case 2 -> at.plusNanos(1_000L * r.nextInt(1_000_000));
            default -> r.nextInt(20) == 0 ? Instant.ofEpochSecond(-r.nextInt(1_000_000), r.nextInt(1_000_000_000)) : at.plusNanos(r.nextInt(1_000_000_000));
        };
    }
}
