package dev.tether.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;

import java.io.IOException;
import java.time.Instant;

/** {@link IsoInstants} for the common form, Jackson's own deserializer (and its errors) for the rest. */
final class FastInstantDeserializer extends StdScalarDeserializer<Instant> {
    FastInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.hasToken(JsonToken.VALUE_STRING)) {
            var fast = IsoInstants.parse(p.getText());
            if (fast != null) return fast;
        }
        return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
}
