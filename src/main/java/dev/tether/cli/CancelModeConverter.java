package dev.tether.cli;
import dev.tether.run.CancelMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** interrupt | rollback. */
final class CancelModeConverter implements ITypeConverter<CancelMode> {
    @Override
    public CancelMode convert(String value) {
        try {
            return CancelMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
