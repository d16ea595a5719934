package dev.tether.redis;
import dev.tether.run.CancelOrigin;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The cancel record's value ("level origin") as docs/redis-protocol.md gives it, older values included. */
class CancelRecordTest {
    @Test
    void theRecordCarriesTheLevelAndWhoAsked() {
        var ask = new CancelRequests.Ask(StopLevel.KILL, CancelOrigin.CONSOLE);
        assertThat(ask.wire()).isEqualTo("kill console");
        assertThat(CancelRequests.Ask.parse("kill console")).isEqualTo(ask);
    }

    @Test
    void olderRecordsStillRead() {
        assertThat(CancelRequests.Ask.parse("after-node")).isEqualTo(new CancelRequests.Ask(StopLevel.AFTER_NODE, null));
        assertThat(CancelRequests.Ask.parse("1")).as("the oldest record: a plain cancel").isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null));
        assertThat(CancelRequests.Ask.parse("yes")).isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null));
        assertThat(CancelRequests.Ask.parse(null)).isNull();
        assertThat(new CancelRequests.Ask(StopLevel.CANCEL, null).wire()).isEqualTo("cancel");
    }

    @Test
    void anUnknownAskerIsNoAskerNotAnError() {
        assertThat(CancelRequests.Ask.parse("cancel martian")).isEqualTo(new CancelRequests.Ask(StopLevel.CANCEL, null));
    }
}
