package dev.tether.api;

import java.util.concurrent.CancellationException;

/** Thrown inside a node when its run was cancelled; let it propagate. */
public class RunCancelledException extends CancellationException {
    public RunCancelledException(String message) {
        super(message);
    }
}
