package dev.tether.cli;

import picocli.CommandLine;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** A moment as people type it: an ISO-8601 instant ({@code 2026-11-27T13:00:00Z}) or a duration ago ({@code 2h}, {@code 30m}, {@code 1d}). */
final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        var text = value.strip();
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && text.contains("T")) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an instant (example: 2026-11-27T13:00:00Z) nor a duration ago (2h, 30m, 1d)");
            }
        }
        try {
            return Instant.now().minus(new DurationConverter().convert(text));
        } catch (CommandLine.TypeConversionException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not an instant (example: 2026-11-27T13:00:00Z) nor a duration ago (2h, 30m, 1d)");
        }
    }
}
