package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.process.ChildLauncher;
import dev.tether.engine.process.ChildPool;
import dev.tether.engine.process.ProcStat;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parent believes a child JVM only what the protocol allows for the run it gave it: a child that
 * sends an event for another run, a submitted, started or lost event, a forced cancel, a stop other
 * than one of its own max-steps (or a second one), a node that finishes without having started, a
 * completion with a node still open, an unreadable or endless line, an idle before its end, anything after its end, or a damaged checkpoint, is killed and never
 * reused, and its run fails with the reason; no other run is touched. Against a real child process
 * ({@link ForgingChild}) that does the handshake right and then lies.
 */
@org.junit.jupiter.api.Tag("process")
class ChildProtocolTest {
    static final RunRegistry registry = new RunRegistry();
    static ChildPool pool;
    static ProcessRunDriver driver;
    String victim;

    @BeforeAll
    static void start() {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        pool = new ChildPool(new ChildLauncher(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ForgingChild.class.getName())), 1);
        driver = new ProcessRunDriver(pool, registry, null, null, GraphCatalog.of());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @BeforeEach
    void aRunThatMustNotBeTouched() {
        victim = started(RunIds.next(), Map.of());
        awaitIdleChild();
    }

    static void awaitIdleChild() {
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(20)).until(() -> pool.idle() == 1);
    }

    static String started(String id, Map<String, Object> input) {
        registry.apply(new RunEvent.Submitted(id, "forged", "default", input, Instant.now()));
        registry.apply(new RunEvent.Started(id, "local", Instant.now()));
        return id;
    }

    RunSnapshot run(String scenario) {
        var id = RunIds.next();
        var input = Map.<String, Object>of("scenario", scenario, "victim", victim);
        started(id, input);
        return driver.drive(new RunRequest(id, "forged", "default", input, Instant.now()), new RunControl(id));
    }

    long childPid() {
        return pool.processes().stream().filter(p -> p.parent().map(pp -> pp.pid() == ProcessHandle.current().pid()).orElse(false))
                .findFirst().orElseThrow().pid();
    }

    @Test
    void anHonestChildsRunCompletesAndTheChildIsReused() {
        long pid = childPid();
        var end = run("honest");
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.steps()).isEqualTo(1);
        awaitIdleChild();
        assertThat(childPid()).isEqualTo(pid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "other-run          | an event for run",
            "other-run-inside   | an event for run",
            "lost               | a 'Lost' event",
            "submitted          | a 'Submitted' event",
            "phantom            | an event for run",
            "started            | a 'Started' event",
            "forced             | a forced cancel",
            "unstarted-node     | finished without having started",
            "completed-in-node  | completed while node a was still running",
            "garbage            | an unreadable message",
            "overlong           | a message longer than 33554432 bytes",
            "idle-early         | 'idle' while its run",
            "damaged-checkpoint | a damaged checkpoint",
            "person-cancel      | a 'CancelRequested' event",
            "second-step-limit  | a 'CancelRequested' event"})
    void aChildThatBreaksTheProtocolIsKilledAndItsRunFails(String scenario, String reason) {
        long pid = childPid();
        var end = run(scenario);
        assertThat(end.status()).isEqualTo(RunStatus.FAILED);
        assertThat(end.error().type()).isEqualTo("ChildProtocolBreach");
        assertThat(end.error().message()).contains("broke the protocol").contains(reason);
        assertThat(ProcStat.running(pid)).as("the child that broke the protocol").isFalse();
        assertThat(registry.get(victim).orElseThrow().status()).as("the other run").isEqualTo(RunStatus.RUNNING);
        assertThat(registry.active()).as("no run was made up").allMatch(r -> r.graphId().equals("forged"));
        awaitIdleChild();
        assertThat(childPid()).as("a fresh child took its place").isNotEqualTo(pid);
    }

    /** The one stop a child asks for itself is its max-steps: kept, as the parent's after-node stop, with its reason sanitised. */
    @Test
    void aChildsOwnStepLimitStopsItsRunAsTheStepLimitsAndTheChildIsReused() {
        long pid = childPid();
        var end = run("step-limit");
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.forced()).isFalse();
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.STEP_LIMIT);
        assertThat(end.stopLevel()).as("a child cannot claim another level").isEqualTo(StopLevel.AFTER_NODE);
        assertThat(end.cancelReason()).isEqualTo("max-steps 1?[31m");
        awaitIdleChild();
        assertThat(childPid()).isEqualTo(pid);
    }

    @Test
    void aChildThatSpeaksAfterItsRunEndedIsNotReused() {
        long pid = childPid();
        var end = run("after-end");
        assertThat(end.status()).as("its end was within the rules").isEqualTo(RunStatus.COMPLETED);
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> !ProcStat.running(pid));
        awaitIdleChild();
        assertThat(childPid()).isNotEqualTo(pid);
    }

    @Test
    void whatAChildSaysOfItsFailureIsBoundedAndSanitised() {
        var end = run("escapes");
        assertThat(end.status()).isEqualTo(RunStatus.FAILED);
        var e = end.error();
        assertThat(e.type() + e.message() + e.stackTrace()).doesNotContain("\u001b", "\u202e", "\u009b", "\u0007");
        assertThat(e.message()).contains("red ?[2J?gnp.exe?");
        assertThat(e.stackTrace()).contains("at x\n\tat y");
    }
}
