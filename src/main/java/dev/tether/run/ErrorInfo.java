package dev.tether.run;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A failure as it travels between processes: type, message and the rendered stack trace. */
public record ErrorInfo(String type, String message, String stackTrace) {

    public static ErrorInfo of(Throwable t) {
        var root = t;
        // CompletionException/ExecutionException wrappers say nothing to an operator.
        while ((root instanceof java.util.concurrent.CompletionException
                || root instanceof java.util.concurrent.ExecutionException)
                && root.getCause() != null) {
            root = root.getCause();
        }
        var out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return new ErrorInfo(root.getClass().getName(), String.valueOf(root.getMessage()), out.toString());
    }

    public String summary() {
        var simple = type.substring(type.lastIndexOf('.') + 1);
        return simple + ": " + message;
    }
}
