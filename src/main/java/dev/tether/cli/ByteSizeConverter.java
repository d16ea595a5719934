package dev.tether.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.regex.Pattern;

/** A size as people write it: 512MiB, 2GiB, 100KiB, 4096 (bytes); KB/MB/GB are read as powers of 1024 too. */
final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?");

    @Override
    public Long convert(String value) {
        var m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new TypeConversionException("'" + value + "' is not a size (e.g. 512MiB, 2GiB, 4096)");
        long n = Long.parseLong(m.group(1));
        var unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        if (n < 1 || n > Long.MAX_VALUE / factor) throw new TypeConversionException("'" + value + "' is out of range");
        return n * factor;
    }
}
