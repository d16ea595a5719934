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
        assertThatThrownBy(() -> RedisSettings.parse("http://x")).hasMessage("Redis URI must start with redis:// or rediss://");
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
        assertThatThrownBy(() -> RedisSettings.parse("redis://host?db=2")).hasMessage("Redis URI option 'db' is unknown (known: prefix)");
    }
}
