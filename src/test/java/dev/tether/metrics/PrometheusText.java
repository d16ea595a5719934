package dev.tether.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a
 * HELP or TYPE comment or a sample {@code name{label="value",...} number}; anything else fails the
 * parse, so a test reading a scrape also proves it is valid Prometheus text.
 */
record PrometheusText(List<Sample> samples, Map<String, String> types, Map<String, String> helps) {
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final java.util.Set<String> TYPES = java.util.Set.of("counter", "gauge", "histogram", "summary", "untyped");

    static PrometheusText parse(String text) {
        var samples = new ArrayList<Sample>();
        var types = new LinkedHashMap<String, String>();
        var helps = new LinkedHashMap<String, String>();
        int n = 0;
        for (var line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                var m = COMMENT.matcher(line);
                if (!m.matches()) throw new IllegalArgumentException("line " + n + ": bad comment: " + line);
                if (m.group(1).equals("TYPE")) {
                    if (!TYPES.contains(m.group(3))) throw new IllegalArgumentException("line " + n + ": bad type: " + line);
                    types.put(m.group(2), m.group(3));
                } else {
                    helps.put(m.group(2), m.group(3));
                }
                continue;
            }
            samples.add(sample(line, n));
        }
        if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the text must end with a newline");
        return new PrometheusText(samples, types, helps);
    }

    private static Sample sample(String line, int n) {
        var name = NAME.matcher(line);
        if (!name.lookingAt()) throw new IllegalArgumentException("line " + n + ": no metric name: " + line);
        int i = name.end();
        var labels = new LinkedHashMap<String, String>();
        if (i < line.length() && line.charAt(i) == '{') {
            int close = line.indexOf("} ", i);
            if (close < 0) throw new IllegalArgumentException("line " + n + ": unclosed labels: " + line);
            var body = line.substring(i + 1, close);
            var m = LABEL.matcher(body);
            int at = 0;
            while (at < body.length()) {
                if (!m.find(at) || m.start() != at) throw new IllegalArgumentException("line " + n + ": bad label at " + at + ": " + line);
                labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                at = m.end();
                if (at < body.length()) {
                    if (body.charAt(at) != ',') throw new IllegalArgumentException("line " + n + ": labels not comma-separated: " + line);
                    at++;
                }
            }
            i = close + 1;
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw new IllegalArgumentException("line " + n + ": no value: " + line);
        var parts = line.substring(i + 1).split(" ");
        if (parts.length > 2) throw new IllegalArgumentException("line " + n + ": trailing text: " + line);
        double value = switch (parts[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(parts[0]);
        };
        if (parts.length == 2) Long.parseLong(parts[1]);
        return new Sample(name.group(), labels, value);
    }

    /** The sum over the series of {@code name} whose labels include {@code labels}. */
    double sum(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    double sum(String name) {
        return sum(name, Map.of());
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }
}
