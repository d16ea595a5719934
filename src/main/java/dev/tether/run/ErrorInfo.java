package dev.tether.run;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A failure as it travels between processes: type, message and the rendered stack trace. */
public record ErrorInfo(String type, String message, String stackTrace) {

    public static ErrorInfo of(Throwable t) {
        var root = t;
        // Wrappers (CompletionException, ExecutionException, LangGraph4j's runner exception whose
        // message is just its cause) say nothing to an operator: report what actually failed.
        while (root.getCause() != null && root.getCause() != root && isWrapper(root)) {
            root = root.getCause();
        }
        var out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return new ErrorInfo(root.getClass().getName(), String.valueOf(root.getMessage()), out.toString());
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException
                || t.getClass().getName().equals("org.bsc.langgraph4j.GraphRunnerException")
                || java.util.Objects.equals(t.getMessage(), t.getCause().toString());
    }

    public String summary() {
        var simple = type.substring(type.lastIndexOf('.') + 1);
        return simple + ": " + message;
    }
}
