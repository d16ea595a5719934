package dev.tether.cli;

import dev.tether.engine.Isolation;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** thread | process, any case. */
final class IsolationConverter implements ITypeConverter<Isolation> {
    @Override
    public Isolation convert(String value) {
        try {
            return Isolation.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
