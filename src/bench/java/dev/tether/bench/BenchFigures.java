package dev.tether.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benches print beside their figures: a percentile of sorted samples, and the machine's load. */
public final class BenchFigures {
    private BenchFigures() {}

    /** The {@code q} quantile (0–1) of {@code sorted}, nearest rank. */
    public static double p(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * q) - 1)];
    }

    /** The 1-, 5- and 15-minute load averages, as {@code /proc/loadavg} gives them. */
    public static String load() throws IOException {
        return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }
}
