package dev.tether.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LOST must mean lost: a sweep judges a worker's silence only once its own contact with Redis has been
 * quick, regular and unrefused for a heartbeat TTL. Against a real Redis.
 */
class LostWorkerSweepTest {
    /** A participant's sweep ("judge") over a real Redis ready for Tether. */
    private static LostWorkerSweep sweep(RealRedis server, redis.clients.jedis.UnifiedJedis admin) {
        RedisSetup.run(admin, Keys.standard(), null);
        var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
        return new LostWorkerSweep(admin, store, "judge", new MaintenanceSteps(server.uri(), null));
    }

    /**
     * A server that refuses writes (here: too few replicas; a full disk or memory alike) refuses the
     * workers' beats too, while reads go on. Once it takes writes again, a worker needs a beat or two to
     * be heard: a sweep that settled at its first write that got through would settle a healthy worker.
     */
    @Test
    void afterARefusedWriteASweepJudgesOnlyATtlAfterAWriteOfItsOwnGotThrough() throws Exception {
        try (var server = RealRedis.start(); var admin = server.admin()) {
            var sweep = sweep(server, admin);
            admin.sadd(Keys.standard().workers(), "silent"); // listed, no heartbeat: what a worker whose beats were refused leaves
            admin.configSet("min-replicas-to-write", "1");

            int refusals = 0;
            while (refusals == 0) { // a TTL of quick contact, then its write (the sweep's lock) is refused
                try {
                    assertThat(sweep.sweep()).as("settled while Redis refuses writes").isZero();
                } catch (RuntimeException e) {
                    assertThat(Connectivity.refusal(e)).startsWith("NOREPLICAS");
                    refusals++;
                }
                Thread.sleep(LostWorkerSweep.EVERY.toMillis());
            }
            admin.configSet("min-replicas-to-write", "0");
            long takesWrites = System.nanoTime();
            while (sweep.sweep() == 0) Thread.sleep(LostWorkerSweep.EVERY.toMillis());
            long settledAfter = System.nanoTime() - takesWrites;

            assertThat(Duration.ofNanos(settledAfter)).as("settled after Redis took writes again").isGreaterThanOrEqualTo(Heartbeat.TTL);
            assertThat(admin.sismember(Keys.standard().workers(), "silent")).as("settled in the end").isFalse();
        }
    }

    /**
     * Writes held by the server (CLIENT PAUSE WRITE; a stalled disk with appendfsync always alike) while
     * reads go on: the workers' beats wait with them. A sweep whose own write waited that long judges
     * nobody on its answer.
     */
    @Test
    void aSweepWhoseWriteWaitedOnTheServerJudgesNobodyOnItsAnswer() throws Exception {
        try (var server = RealRedis.start(); var admin = server.admin()) {
            var sweep = sweep(server, admin);
            long start = System.nanoTime();
            while (System.nanoTime() - start < Heartbeat.TTL.toNanos() + 500_000_000L) { // a TTL of quick contact, nobody silent
                assertThat(sweep.sweep()).isZero();
                Thread.sleep(LostWorkerSweep.EVERY.toMillis());
            }
            admin.sadd(Keys.standard().workers(), "silent");
            admin.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "PAUSE", "2000", "WRITE");
            assertThat(sweep.sweep()).as("settled on the answer of a write that waited 2 s").isZero();
            while (sweep.sweep() == 0) Thread.sleep(LostWorkerSweep.EVERY.toMillis());
            assertThat(admin.sismember(Keys.standard().workers(), "silent")).as("settled a TTL later").isFalse();
        }
    }
}
