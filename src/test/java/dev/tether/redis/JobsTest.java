package dev.tether.redis;

import dev.tether.engine.InputLimit;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job as a worker reads it from a stream: anyone who can XADD wrote it, so every name and the input are checked. */
class JobsTest {
    private static Map<String, String> job(String key, String value) {
        var f = new HashMap<>(Map.of("id", "01a20fc6-0000-7000-8000-000000000001", "graph", "welcome-email", "queue", "email",
                "input", "{}", "submittedAt", "1764000000000"));
        f.put(key, value);
        return f;
    }

    @Test
    void aWellFormedJobIsRead() {
        var r = Jobs.parse(job("input", "{\"to\":\"a@b.c\"}"));
        assertThat(r.runId()).isEqualTo("01a20fc6-0000-7000-8000-000000000001");
        assertThat(r.input()).containsEntry("to", "a@b.c");
    }

    @Test
    void namesThatWouldAliasAnotherKeyAreMalformed() {
        // cp:{id}:bytes is the byte count of run {id}'s checkpoints; worker:{w}:runs the run set of worker {w}
        assertThatThrownBy(() -> Jobs.parse(job("id", "01a20fc6-0000-7000-8000-000000000001:bytes"))).hasMessage("entry has a malformed 'id'");
        assertThatThrownBy(() -> Jobs.parse(job("queue", "email:x"))).hasMessage("entry has a malformed 'queue'");
        assertThatThrownBy(() -> Jobs.parse(job("resumeOf", "{\"runId\":\"a:b\",\"node\":\"n\",\"checkpointId\":\"c\"}")))
                .hasMessage("entry's 'resumeOf' names a malformed run id");
    }

    @Test
    void anInputOverTheLimitIsRefusedBeforeItIsParsed() {
        var big = "{\"to\":\"" + "x".repeat(InputLimit.MAX_BYTES) + "\"}";
        assertThatThrownBy(() -> Jobs.parse(job("input", big))).hasMessageMatching("input is \\d+ bytes as JSON, larger than the limit of 32768 bytes");
        var fits = "{\"to\":\"" + "x".repeat(InputLimit.MAX_BYTES - 100) + "\"}";
        assertThat(Jobs.parse(job("input", fits)).input()).containsKey("to");
    }
}
