package dev.tether.cli;

import dev.tether.run.PolicyText;
import picocli.CommandLine;

import java.time.Duration;

/**
 * Durations as people type them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, or
 * ISO-8601 {@code PT30S}; one rule with the policies' ({@link PolicyText#parseDuration}).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return PolicyText.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
