package dev.tether.redis;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The cancel record's value ("level origin mode") as docs/redis-protocol.md gives it, older values included. */
class CancelRecordTest {
    @Test
    void theRecordCarriesTheLevelWhoAskedAndTheMode() {
        var ask = new CancelRequests.Ask(StopLevel.KILL, CancelOrigin.CONSOLE, CancelMode.ROLLBACK);
        assertThat(ask.wire()).isEqualTo("kill console rollback");
        assertThat(CancelRequests.Ask.parse("kill console rollback")).isEqualTo(ask);
        assertThat(new CancelRequests.Ask(CancelRequest.DEFAULT).wire()).as("nobody said who asked").isEqualTo("cancel - interrupt");
        assertThat(CancelRequests.Ask.parse("cancel - interrupt")).isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null, CancelMode.INTERRUPT));
    }

    @Test
    void olderRecordsStillReadWithTheirModeUnsaid() {
        assertThat(CancelRequests.Ask.parse("kill console")).isEqualTo(new CancelRequests.Ask(StopLevel.KILL, CancelOrigin.CONSOLE, null));
        assertThat(CancelRequests.Ask.parse("after-node")).isEqualTo(new CancelRequests.Ask(StopLevel.AFTER_NODE, null, null));
        assertThat(CancelRequests.Ask.parse("1")).as("the oldest record: a plain cancel").isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null, null));
        assertThat(CancelRequests.Ask.parse("yes")).isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null, null));
        assertThat(CancelRequests.Ask.parse("")).as("what follows an older client's bare id: a plain cancel")
                .isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null, null));
        assertThat(CancelRequests.Ask.parse(null)).isNull();
        assertThat(new CancelRequests.Ask(StopLevel.CANCEL, null, null).wire()).as("an unsaid mode is written as an older client wrote it")
                .isEqualTo("cancel");
        assertThat(new CancelRequests.Ask(StopLevel.KILL, CancelOrigin.CLI, null).wire()).isEqualTo("kill cli");
    }

    @Test
    void anUnknownAskerOrModeIsNotSaidNotAnError() {
        assertThat(CancelRequests.Ask.parse("cancel martian")).isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null, null));
        assertThat(CancelRequests.Ask.parse("cancel  cli   shred and more")).as("a newer writer's mode: the worker reads the record")
                .isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, CancelOrigin.CLI, null));
    }

    @Test
    void theRecordKeepsTheStrongestLevelAndARollbackOnceAsked() {
        var kill = new CancelRequest(StopLevel.KILL, CancelOrigin.API, CancelMode.INTERRUPT, null);
        var rollback = CancelRequest.by(CancelOrigin.CONSOLE).withMode(CancelMode.ROLLBACK);
        assertThat(CancelRequests.strongest(null, kill).wire()).isEqualTo("kill api interrupt");
        assertThat(CancelRequests.strongest("cancel cli interrupt", kill).wire()).isEqualTo("kill api interrupt");
        assertThat(CancelRequests.strongest("kill api interrupt", rollback).wire()).as("the level stays; the rollback is added")
                .isEqualTo("kill api rollback");
        assertThat(CancelRequests.strongest("cancel console rollback", kill).wire()).as("an escalation never undoes a rollback")
                .isEqualTo("kill api rollback");
        assertThat(CancelRequests.strongest("cancel cli", kill).wire())
                .as("an older client's request may have been a rollback (its record says so): still unsaid").isEqualTo("kill api");
        assertThat(CancelRequests.strongest("kill cli", rollback).wire()).isEqualTo("kill cli rollback");
    }
}
