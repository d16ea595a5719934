package dev.tether.cli;
import dev.tether.run.StopLevel;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** after-node | cancel | kill. */
final class StopLevelConverter implements ITypeConverter<StopLevel> {
    @Override
    public StopLevel convert(String value) {
        try {
            return StopLevel.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
