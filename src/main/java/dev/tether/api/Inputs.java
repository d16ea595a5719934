package dev.tether.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns text input (CLI {@code key=value}, dialog fields) into typed run input. */
public final class Inputs {
    private Inputs() {}

    /**
     * Parses {@code raw} values by the type of the same key in {@code defaults}; unknown keys stay
     * strings. The defaults fill keys not given.
     *
     * @throws IllegalArgumentException with a one-line message naming the key and expected type
     */
    public static Map<String, Object> coerce(Map<String, Object> defaults, Map<String, String> raw) {
        var out = new LinkedHashMap<String, Object>(defaults);
        raw.forEach((key, text) -> out.put(key, parse(key, text, defaults.get(key))));
        return out;
    }

    public static Object parse(String key, String text, Object example) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("input key must not be empty");
        try {
            return switch (example) {
                case Integer i -> Integer.valueOf(text.trim());
                case Long l -> Long.valueOf(text.trim());
                case Double d -> finiteNumber(text.trim());
                case Boolean b -> parseBoolean(text);
                case null, default -> text;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input '" + key + "' must be " + typeName(example)
                    + (example instanceof Double ? " (finite, in decimal notation)" : "") + ", got '" + text + "'");
        }
    }

    /** Splits {@code key=value}; the value may contain '='. */
    public static Map.Entry<String, String> splitPair(String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("input '" + pair + "' is not of the form key=value");
        return Map.entry(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }

    public static String typeName(Object example) {
        return switch (example) {
            case Integer i -> "an integer";
            case Long l -> "an integer";
            case Double d -> "a number";
            case Boolean b -> "true or false";
            case null, default -> "text";
        };
    }

    /** Plain decimal notation only: NaN, Infinity, hex floats and type suffixes ("1d") are not numbers a person means. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static Double finiteNumber(String text) {
        if (!DECIMAL.matcher(text).matches()) throw new NumberFormatException(text);
        var d = Double.valueOf(text);
        if (!Double.isFinite(d)) throw new NumberFormatException(text); // 1e999
        return d;
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> Boolean.TRUE;
            case "false", "no", "0" -> Boolean.FALSE;
            default -> throw new NumberFormatException(text);
        };
    }

    /** Reads a number from run state, whatever numeric type it arrived as. */
    public static long longOf(Map<String, Object> data, String key, long fallback) {
        return data.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    public static double doubleOf(Map<String, Object> data, String key, double fallback) {
        return data.get(key) instanceof Number n ? n.doubleValue() : fallback;
    }
}
