package dev.tether.engine;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * How large a run's input may be: its JSON, defaults merged, at most {@value #MAX_BYTES} bytes of
 * UTF-8. Every submit is checked (command line, control API, Submit dialog, a Redis view) and so is
 * every job a worker reads: an input is copied into the run's record, every event and snapshot,
 * the history and the job's stream entry, so one without a bound is memory without a bound.
 */
public final class InputLimit {
    public static final int MAX_BYTES = 32 * 1024;

    private InputLimit() {}

    /** @throws IllegalArgumentException with a one-line reason when the input's JSON is larger than the limit */
    public static <M extends Map<String, ?>> M require(M input) {
        if (input == null) return null;
        requireJson(dev.tether.json.Json.write(input));
        return input;
    }

    /** As {@link #require}, for input already written as JSON. */
    public static String requireJson(String json) {
        // a char is at least one byte: only a text that might be too large is encoded
        if (json != null && json.length() > MAX_BYTES / 3) {
            int bytes = json.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_BYTES) {
                throw new IllegalArgumentException("input is " + bytes + " bytes as JSON, larger than the limit of " + MAX_BYTES + " bytes");
            }
        }
        return json;
    }
}
