package dev.tether.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A failure as it travels between processes: type, message and the rendered stack trace. Made
 * from whatever a node threw, so it must not fail itself: a {@code getMessage()} that throws, or a
 * cause chain that loops, still gives an ErrorInfo (a failure here would leave the run RUNNING).
 */
public record ErrorInfo(String type, String message, String stackTrace) {
    private static final int MAX_CAUSES = 64;

    public static ErrorInfo of(Throwable t) {
        var root = t;
        // Wrappers (CompletionException, ExecutionException, LangGraph4j's runner exception whose
        // message is just its cause) say nothing to an operator: report what actually failed.
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(root);
        while (seen.size() < MAX_CAUSES) {
            var cause = causeOf(root);
            if (cause == null || !seen.add(cause) || !isWrapper(root, cause)) break;
            root = cause;
        }
        return new ErrorInfo(root.getClass().getName(), String.valueOf(messageOf(root)), stackTraceOf(t));
    }

    private static boolean isWrapper(Throwable t, Throwable cause) {
        return t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException
                || t.getClass().getName().equals("org.bsc.langgraph4j.GraphRunnerException")
                || java.util.Objects.equals(messageOf(t), textOf(cause));
    }

    private static Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String messageOf(Throwable t) {
        try {
            return t.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return "(the exception's message could not be read: " + e.getClass().getName() + ")";
        }
    }

    private static String textOf(Throwable t) {
        var m = messageOf(t);
        return m == null ? t.getClass().getName() : t.getClass().getName() + ": " + m;
    }

    /** The JDK's rendering, or (when the exception breaks it) one built from class names, messages read safely and frames. */
    private static String stackTraceOf(Throwable t) {
        try {
            var out = new StringWriter();
            t.printStackTrace(new PrintWriter(out));
            return out.toString();
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            var out = new StringBuilder();
            Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (var x = t; x != null && seen.add(x) && seen.size() <= MAX_CAUSES; x = causeOf(x)) {
                out.append(x == t ? "" : "Caused by: ").append(textOf(x)).append('\n');
                for (var frame : x.getStackTrace()) out.append("\tat ").append(frame).append('\n');
            }
            return out.toString();
        }
    }

    public String summary() {
        var simple = type.substring(type.lastIndexOf('.') + 1);
        return simple + ": " + message;
    }
}
