package dev.tether.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import dev.tether.api.RunCancelledException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The product's logging set-up (the tests' own is logback-test.xml, which the configurator steps aside for). */
class TetherLogConfiguratorTest {

    @Test
    void logsGoToStderrAtTheLevelAskedWithLibrariesQuieter() {
        var context = new LoggerContext();
        TetherLogConfigurator.apply(context, Level.DEBUG);

        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
        var appender = (ConsoleAppender<?>) root.getAppender("STDERR");
        assertThat(appender.getTarget()).as("stdout stays clean for --json").isEqualTo("System.err");
        assertThat(appender.isStarted()).isTrue();
        assertThat(context.getLogger("org.bsc.langgraph4j").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getTurboFilterList()).hasExactlyElementsOfTypes(CancellationNoiseFilter.class);
        var langgraph = context.getLogger("org.bsc.langgraph4j.CompiledGraph");
        assertThat(langgraph.isErrorEnabled()).isTrue();
        assertThat(context.getTurboFilterList().getTurboFilterChainDecision(null, langgraph, Level.ERROR, "node failed", null,
                new RunCancelledException("x"))).as("a cancelled node's ERROR is dropped").isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
    }

    @Test
    void theLevelIsTetherLogLevelAndAnUnknownOneMeansInfo() {
        assertThat(TetherLogConfigurator.level("warn")).isEqualTo(Level.WARN);
        assertThat(TetherLogConfigurator.level(" OFF ")).isEqualTo(Level.OFF);
        assertThat(TetherLogConfigurator.level("loud")).isEqualTo(Level.INFO);
        assertThat(TetherLogConfigurator.level(null)).isEqualTo(Level.INFO);
    }
}
