package dev.tether.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Evidence for a hang: the threads of this JVM and of every JVM it started (workers, {@code serve},
 * child JVMs of process isolation), printed into the test output. A test that waits on other
 * processes prints this when it sees no progress, so a failure comes with the state of every party.
 */
public final class ThreadDumps {
    private ThreadDumps() {}

    /** Prints the dumps to standard out (surefire keeps it in the test's report). */
    public static void printAll(String why) {
        System.out.println(collectAll(why));
        System.out.flush();
    }

    public static String collectAll(String why) {
        var out = new StringBuilder();
        out.append("==== thread dumps at ").append(Instant.now()).append(": ").append(why).append(" ====\n");
        out.append("---- this JVM (pid ").append(ProcessHandle.current().pid()).append(") ----\n");
        out.append(ownThreads());
        for (var jvm : descendantJvms()) {
            out.append("---- pid ").append(jvm.pid()).append(": ")
                    .append(jvm.info().commandLine().map(ThreadDumps::shorten).orElse("?")).append(" ----\n");
            out.append(jcmdThreadPrint(jvm.pid()));
        }
        out.append("==== end of thread dumps ====\n");
        return out.toString();
    }

    /** Every live java process below this one (its children, their children ...). */
    public static List<ProcessHandle> descendantJvms() {
        var list = new ArrayList<ProcessHandle>();
        ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .forEach(list::add);
        return list;
    }

    public static String jcmdThreadPrint(long pid) {
        var jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            var p = new ProcessBuilder(jcmd, Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            var text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            return text;
        } catch (IOException e) {
            return "(jcmd failed: " + e + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)\n";
        }
    }

    private static String ownThreads() {
        var out = new StringBuilder();
        for (var info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
            if (info.getLockName() != null) out.append(" on ").append(info.getLockName());
            if (info.getLockOwnerName() != null) out.append(" owned by \"").append(info.getLockOwnerName()).append('"');
            out.append('\n');
            for (var frame : info.getStackTrace()) out.append("\tat ").append(frame).append('\n');
            out.append('\n');
        }
        return out.toString();
    }

    private static String shorten(String commandLine) {
        int main = commandLine.indexOf("dev.tether.");
        return main >= 0 ? commandLine.substring(main) : commandLine.length() > 200 ? commandLine.substring(0, 200) + "…" : commandLine;
    }
}
