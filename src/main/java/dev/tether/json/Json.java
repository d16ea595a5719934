package dev.tether.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tether.run.RunSnapshot;

import java.time.Instant;

/**
 * The one JSON setup shared by the control API, the command line and Redis: ISO-8601 instants,
 * unknown fields ignored (newer peers may add fields), durations as ISO strings.
 */
public final class Json {
    private static final ObjectMapper MAPPER = byBeanRules()
            .registerModule(new SimpleModule("tether-snapshots").addSerializer(RunSnapshot.class, new RunSnapshotSerializer()));

    private Json() {}

    /** The setup without the snapshot's hand-written serializer: what that serializer must write the same as. */
    static ObjectMapper byBeanRules() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(new SimpleModule("tether-instants").addDeserializer(Instant.class, new FastInstantDeserializer())
                        .addSerializer(Instant.class, new FastInstantSerializer()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes one value of a run's snapshot (a field, a node span) to {@code g} exactly as the mapper would,
     * the common kinds without a lookup: for writers of parts of a snapshot, such as a run's change.
     */
    public static void writeValue(com.fasterxml.jackson.core.JsonGenerator g, Object value) throws java.io.IOException {
        RunSnapshotSerializer.value(g, value, null);
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }
}
