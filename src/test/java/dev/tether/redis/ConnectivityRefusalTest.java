package dev.tether.redis;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a person is told when Redis refuses a call: Redis's own error, the same on Redis 6.2 and 7,
 * without where in Tether's script it was met (the errors are as each version answers them).
 */
class ConnectivityRefusalTest {

    @Test
    void anErrorAScriptMetReadsTheSameOnRedis62AndRedis7() {
        var on62 = new JedisDataException("ERR Error running script (call to f_61f4206f5698673bdee77fc4b4b1a244916580d8): "
                + "@user_script:229: -NOREPLICAS Not enough good replicas to write.");
        var on7 = new JedisDataException("NOREPLICAS Not enough good replicas to write. script: 61f4206f5698673bdee77fc4b4b1a244916580d8, "
                + "on @user_script:229.");

        assertThat(Connectivity.refusal(on62)).isEqualTo("NOREPLICAS Not enough good replicas to write.");
        assertThat(Connectivity.refusal(on7)).isEqualTo("NOREPLICAS Not enough good replicas to write.");
        assertThat(Connectivity.refusal(new JedisDataException("READONLY You can't write against a read only replica. script: "
                + "0123456789abcdef0123456789abcdef01234567, on @user_script:12.")))
                .isEqualTo("READONLY You can't write against a read only replica.");
    }

    @Test
    void anErrorOfAPlainCommandIsSaidAsRedisSaidIt() {
        assertThat(Connectivity.refusal(new JedisDataException("MISCONF Redis is configured to save RDB snapshots, but it's "
                + "currently unable to persist to disk.")))
                .startsWith("MISCONF Redis is configured to save RDB snapshots");
        assertThat(Connectivity.refusal(new JedisDataException("NOPERM this user has no permissions to run the 'mget' command")))
                .isEqualTo("NOPERM this user has no permissions to run the 'mget' command");
        assertThat(Connectivity.refusal(new JedisDataException("ERR the text mentions script: but is no place")))
                .isEqualTo("ERR the text mentions script: but is no place");
    }

    @Test
    void aFullServerIsSaidPlainlyAndNoAnswerIsNoRefusal() {
        assertThat(Connectivity.refusal(new JedisDataException("OOM command not allowed when used memory > 'maxmemory'. script: "
                + "61f4206f5698673bdee77fc4b4b1a244916580d8, on @user_script:229."))).isEqualTo("out of memory: its maxmemory was reached");
        assertThat(Connectivity.refusal(new JedisConnectionException("Connection refused"))).isNull();
        assertThat(Connectivity.refusal(new IllegalStateException("wrapped", new JedisDataException("NOREPLICAS Not enough good replicas "
                + "to write. script: 61f4206f5698673bdee77fc4b4b1a244916580d8, on @user_script:7.")))).isEqualTo("NOREPLICAS Not enough good replicas to write.");
    }

    /**
     * A write Redis kept but its replicas did not confirm in time (a replica catching up after a failover)
     * is tried again until they do: neither lost contact nor a line at every try.
     */
    @Test
    void aWriteTheReplicasDidNotConfirmIsNotLostContactAndIsSaidOnceAMinute() {
        var logs = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logs.start();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Connectivity.class);
        logger.addAppender(logs);
        try {
            var connectivity = new Connectivity("redis://here");
            for (int i = 0; i < 5; i++) {
                assertThat(connectivity.down(new NotReplicatedException("finish.lua", 1, 2))).as("no refusal").isNull();
                connectivity.up(); // the next call, a read or a beat, got through
            }
            assertThat(connectivity.isUp()).isTrue();
            assertThat(connectivity.reconnects()).as("no contact was lost, so none came back").isZero();
            assertThat(logs.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly("Redis at redis://here: Redis did not confirm finish.lua on 2 replicas within 1000 ms (1 confirmed; a "
                            + "failover under way?): it may or may not have been kept; retrying (said again once a minute while it lasts)");
        } finally {
            logger.detachAppender(logs);
        }
    }
}
