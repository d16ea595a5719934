package dev.tether.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Redis addresses as operators write them; the password never shows. */
class RedisSettingsTest {

    @Test
    void readsHostPortUserPasswordDatabaseAndTls() {
        var s = RedisSettings.parse("rediss://ops:s3cr%40t@redis.example:6380/2");
        assertThat(s.display()).isEqualTo("rediss://ops@redis.example:6380/2");
        assertThat(s.toString()).doesNotContain("s3cr");
    }

    @Test
    void defaultsToPort6379AndDatabase0AndAcceptsAPasswordOnly() {
        assertThat(RedisSettings.parse("redis://localhost").display()).isEqualTo("redis://localhost:6379");
        assertThat(RedisSettings.parse("redis://:hunter2@localhost").display()).isEqualTo("redis://localhost:6379");
        assertThat(RedisSettings.parse("redis://hunter2@localhost").display()).doesNotContain("hunter2");
    }

    @Test
    void badAddressesAreOneLineErrorsWithoutThePassword() {
        assertThatThrownBy(() -> RedisSettings.parse("http://x"))
                .hasMessage("Redis URI must start with redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster://");
        assertThatThrownBy(() -> RedisSettings.parse("redis://:pw@host/abc"))
                .hasMessage("Redis URI database must be a number, got 'abc'");
        assertThatThrownBy(() -> RedisSettings.parse("redis://:top secret@host")).message().doesNotContain("top secret");
    }

    @Test
    void theKeyPrefixIsAnOptionOfTheAddress() {
        var s = RedisSettings.parse("redis://:pw@host:6379/1?prefix=acme-prod");
        assertThat(s.prefix()).isEqualTo("acme-prod");
        assertThat(s.keys().run("r1")).isEqualTo("acme-prod:run:r1");
        assertThat(s.display()).isEqualTo("redis://host:6379/1?prefix=acme-prod").doesNotContain("pw");
        assertThat(RedisSettings.parse("redis://host").keys().queue("q")).isEqualTo("tether:q:q");
        assertThatThrownBy(() -> RedisSettings.parse("redis://host?prefix=a%20b"))
                .hasMessage("Redis key prefix must be 1-64 letters, digits, '_', '.' or '-', got 'a b'");
        assertThatThrownBy(() -> RedisSettings.parse("redis://host?db=2"))
                .hasMessage("Redis URI option 'db' is unknown (known: prefix, master, replicas)");
    }

    @Test
    void behindSentinelTheSentinelsAndTheMastersNameAreGivenAndAClaimWaitsForEveryHealthyReplica() {
        var s = RedisSettings.parse("redis-sentinel://ops:s3cret@10.0.0.1:26380,10.0.0.2,sentinel-3:26381/2?master=main&prefix=acme");
        assertThat(s.display()).isEqualTo("redis-sentinel://ops@10.0.0.1:26380,10.0.0.2:26379,sentinel-3:26381/2?master=main&prefix=acme")
                .doesNotContain("s3cret");
        assertThat(s.replicas()).as("what a failover must not lose waits for every healthy replica").isEqualTo(RedisSettings.ALL);
        assertThat(s.keys().run("r1")).isEqualTo("acme:run:r1");
        assertThat(RedisSettings.parse("redis-sentinel://h?master=m&replicas=0").replicas()).isZero();
        assertThat(RedisSettings.parse("redis://h?replicas=2").replicas()).isEqualTo(2);
        assertThat(RedisSettings.parse("redis://h?replicas=2").display()).isEqualTo("redis://h:6379?replicas=2");
        assertThat(RedisSettings.parse("redis://h").replicas()).isZero();
        assertThat(RedisSettings.parse("rediss-sentinel://h?master=m").display()).isEqualTo("rediss-sentinel://h:26379?master=m");
        assertThat(RedisSettings.parse("redis-sentinel://h?master=m&replicas=1").display()).isEqualTo("redis-sentinel://h:26379?master=m&replicas=1");
        assertThat(RedisSettings.parse("redis-sentinel://h?master=m&replicas=all").replicas()).isEqualTo(RedisSettings.ALL);
    }

    @Test
    void aSentinelAddressWithoutItsMasterOrWithBadPartsIsAOneLineError() {
        assertThatThrownBy(() -> RedisSettings.parse("redis-sentinel://h1,h2"))
                .hasMessage("Redis URI needs the master's name: redis-sentinel://...?master=NAME");
        assertThatThrownBy(() -> RedisSettings.parse("redis://h?master=m"))
                .hasMessage("Redis URI option 'master' needs redis-sentinel:// (or rediss-sentinel://)");
        assertThatThrownBy(() -> RedisSettings.parse("redis-sentinel://h:99999?master=m")).hasMessage("Redis URI sentinel port must be 1-65535");
        assertThatThrownBy(() -> RedisSettings.parse("redis-sentinel://h1,,h2?master=m")).hasMessage("Redis URI has an empty sentinel address");
        assertThatThrownBy(() -> RedisSettings.parse("redis-sentinel://h?master=a:b"))
                .hasMessage("Redis URI master name must be 1-64 letters, digits, '_', '.' or '-'");
        assertThatThrownBy(() -> RedisSettings.parse("redis://h?replicas=-1"))
                .hasMessage("Redis URI option 'replicas' must be a number from 0 to 16, or 'all'");
        assertThatThrownBy(() -> RedisSettings.parse("redis://h?replicas=all"))
                .hasMessage("Redis URI option 'replicas=all' needs redis-sentinel:// (the sentinels say how many there are)");
    }

    @Test
    void inAClusterAnyNodesAreGivenAndEveryKeyOfAPrefixCarriesItAsItsHashTag() {
        var s = RedisSettings.parse("redis-cluster://ops:s3cret@10.0.0.1:7000,10.0.0.2,node-3:7002?prefix=acme");
        assertThat(s.display()).isEqualTo("redis-cluster://ops@10.0.0.1:7000,10.0.0.2:6379,node-3:7002?prefix=acme").doesNotContain("s3cret");
        var keys = s.keys();
        assertThat(keys.run("r1")).isEqualTo("{acme}:run:r1");
        assertThat(keys.queue("q")).isEqualTo("{acme}:q:q");
        // one slot for all of them: every script and transaction of the protocol stays on one node
        var slots = java.util.stream.Stream.of(keys.run("r1"), keys.run("r2"), keys.queue("q"), keys.active(), keys.live(), keys.workers(),
                        keys.worker("w"), keys.checkpoints("r1"), keys.cancel("r1"), keys.lease("l"), keys.config(), keys.deadLetters())
                .map(redis.clients.jedis.util.JedisClusterCRC16::getSlot).distinct().toList();
        assertThat(slots).containsExactly(keys.slot());
        assertThat(RedisSettings.parse("redis-cluster://h").keys().run("r1")).isEqualTo("{tether}:run:r1");
        assertThat(RedisSettings.parse("redis-cluster://h").keys().slot()).as("docs/redis-protocol.md names it").isEqualTo(10_738);
        assertThat(RedisSettings.parse("redis-cluster://h").withPrefix("other").keys().run("r1")).isEqualTo("{other}:run:r1");
        assertThat(RedisSettings.parse("rediss-cluster://h:7000?replicas=1").display()).isEqualTo("rediss-cluster://h:7000?replicas=1");
        assertThat(RedisSettings.parse("redis-cluster://h").replicas()).isZero();
        // outside a cluster the layout stays as it was
        assertThat(RedisSettings.parse("redis://h?prefix=acme").keys().run("r1")).isEqualTo("acme:run:r1");
    }

    @Test
    void aClusterAddressWithBadPartsIsAOneLineError() {
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://h/2")).hasMessage("Redis URI database must be 0 in a cluster (a cluster has no other)");
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://h:0")).hasMessage("Redis URI cluster node port must be 1-65535");
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://h1,,h2")).hasMessage("Redis URI has an empty cluster node address");
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://h?master=m"))
                .hasMessage("Redis URI option 'master' needs redis-sentinel:// (or rediss-sentinel://)");
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://h?replicas=all"))
                .hasMessage("Redis URI option 'replicas=all' needs redis-sentinel:// (the sentinels say how many there are)");
        assertThatThrownBy(() -> RedisSettings.parse("redis-cluster://:pw@"))
                .message().doesNotContain("pw");
    }

    @Test
    void aSubscriptionInAClusterFindsTheMasterOfThePrefixsSlotInTheClustersOwnList() {
        var nodes = String.join("\n",
                "07c3 127.0.0.1:30004@40004 slave e7d1 0 1426238317239 4 connected",
                "67ed 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922",
                "292f 127.0.0.1:30003@40003,node-3 master - 0 1426238318243 3 connected 10923-16383 [10924->-e7d1]",
                "6ec2 127.0.0.1:30005@40005 master,fail - 1426238316232 1426238316232 5 connected 0-5460",
                "e7d1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460");
        assertThat(RedisSettings.masterOf(12_000, nodes)).isEqualTo(new redis.clients.jedis.HostAndPort("127.0.0.1", 30003));
        assertThat(RedisSettings.masterOf(5_461, nodes)).isEqualTo(new redis.clients.jedis.HostAndPort("127.0.0.1", 30002));
        assertThat(RedisSettings.masterOf(0, nodes)).as("a failed master is passed over").isEqualTo(new redis.clients.jedis.HostAndPort("127.0.0.1", 30001));
        assertThat(RedisSettings.masterOf(7, "e7d1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 100-200")).isNull();
    }
}
