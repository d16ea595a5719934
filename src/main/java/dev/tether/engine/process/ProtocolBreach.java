package dev.tether.engine.process;

import dev.tether.logging.SafeText;

/** A child JVM said something the protocol does not allow: it is killed, never reused, and its run fails. */
public final class ProtocolBreach extends Exception {
    public ProtocolBreach(String what) {
        super(SafeText.line(what, 300), null, false, false);
    }
}
