package dev.tether.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Tether's logging set-up, in code: parsing an XML configuration costs every short command about a
 * tenth of a second of start-up. Logs go to stderr so that command output on stdout stays clean for
 * scripts; the level is {@code TETHER_LOG_LEVEL} (system property, then environment; default INFO).
 * A configuration file named by {@code logback.configurationFile}, or a {@code logback-test.xml} on
 * the class path, still wins: this configurator then steps aside for logback's own.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class TetherLogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || TetherLogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, level());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void apply(LoggerContext context, Level rootLevel) {
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        var stderr = new ConsoleAppender<ILoggingEvent>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        // LangGraph4j logs each cancelled node at ERROR; the engine reports outcomes itself.
        var noise = new CancellationNoiseFilter();
        noise.setContext(context);
        noise.start();
        context.addTurboFilter(noise);
        context.getLogger("org.bsc.langgraph4j").setLevel(Level.WARN);
        // Jetty (the control API's HTTP server) says more than an operator needs at start and stop.
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        // Jedis' cluster client says at INFO, on every command line, that it refreshes the slot layout.
        context.getLogger("redis.clients.jedis.JedisClusterInfoCache").setLevel(Level.WARN);
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel);
        root.addAppender(stderr);
    }

    private static Level level() {
        return level(System.getProperty("TETHER_LOG_LEVEL", System.getenv("TETHER_LOG_LEVEL")));
    }

    static Level level(String named) {
        return named == null || named.isBlank() ? Level.INFO : Level.toLevel(named.trim(), Level.INFO);
    }
}
