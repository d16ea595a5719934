package dev.tether.soak;

import dev.tether.testing.ThreadDumps;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A JVM's threads by kind (their names with run ids and numbers folded: "tether-1-run-3" is "tether-#-run-#"),
 * from {@code jcmd PID Thread.print}: what names a leak when an idle process has more threads than
 * an idle one had before.
 */
final class ThreadCensus {
    private static final Pattern NAME = Pattern.compile("(?m)^\"([^\"]*)\"");

    private ThreadCensus() {}

    static Map<String, Integer> of(List<Long> pids) {
        var out = new TreeMap<String, Integer>();
        for (long pid : pids) {
            var m = NAME.matcher(ThreadDumps.jcmdThreadPrint(pid));
            while (m.find()) out.merge(kind(m.group(1)), 1, Integer::sum);
        }
        return out;
    }

    /** A thread's name with run ids and numbers folded. */
    static String kind(String name) {
        return name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "RUN").replaceAll("\\d+", "#");
    }

    /** The kinds that changed in number, "+2 tether-#-run-#". */
    static String diff(Map<String, Integer> before, Map<String, Integer> after) {
        var keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        var out = new StringBuilder();
        for (var k : keys) {
            int d = after.getOrDefault(k, 0) - before.getOrDefault(k, 0);
            if (d != 0) out.append(out.isEmpty() ? "" : ", ").append(d > 0 ? "+" : "").append(d).append(' ').append(k);
        }
        return out.isEmpty() ? "same kinds of threads" : out.toString();
    }
}
