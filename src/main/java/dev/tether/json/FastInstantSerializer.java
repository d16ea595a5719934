package dev.tether.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;

import java.io.IOException;
import java.time.Instant;

/** Instants as {@link Instant#toString()} writes them, through {@link IsoInstants}. */
final class FastInstantSerializer extends StdScalarSerializer<Instant> {
    FastInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(IsoInstants.format(value));
    }
}
