package dev.tether.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.tether.api.RunCancelledException;
import org.slf4j.Marker;

/**
 * LangGraph4j logs every cancelled or interrupted node at ERROR with a full stack. The engine
 * reports each run's outcome itself, so those lines (and only those) are dropped; other library
 * errors still show.
 */
public final class CancellationNoiseFilter extends TurboFilter {

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t == null || !logger.getName().startsWith("org.bsc.langgraph4j")) return FilterReply.NEUTRAL;
        // A node's exception may have a cause chain that loops (even through fresh objects): bounded walk.
        var cause = t;
        for (int depth = 0; cause != null && depth < 32; depth++) {
            if (cause instanceof RunCancelledException || cause instanceof InterruptedException
                    || cause instanceof java.util.concurrent.CancellationException) {
                return FilterReply.DENY;
            }
            try {
                cause = cause.getCause();
            } catch (RuntimeException e) {
                break;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
