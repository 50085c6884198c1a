package org.redissync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedisAddressTest {

    @Test
    void hostAndPort() {
        RedisAddress a = RedisAddress.parse("redis-a-0.redis:6379");
        assertThat(a.isUnix()).isFalse();
        assertThat(a.host()).isEqualTo("redis-a-0.redis");
        assertThat(a.port()).isEqualTo(6379);
        assertThat(a).hasToString("redis-a-0.redis:6379");
    }

    @Test
    void unixSocket() {
        RedisAddress a = RedisAddress.parse("unix:/var/run/redis/redis-1.sock");
        assertThat(a.isUnix()).isTrue();
        assertThat(a.socketPath()).isEqualTo("/var/run/redis/redis-1.sock");
        assertThat(a.host()).isNull();
        assertThat(a).hasToString("unix:/var/run/redis/redis-1.sock").isEqualTo(RedisAddress.unix("/var/run/redis/redis-1.sock"));
    }

    @Test
    void ipv6GoesInBrackets() {
        RedisAddress a = RedisAddress.parse("[fd00::1]:12000");
        assertThat(a.host()).isEqualTo("fd00::1");
        assertThat(a.port()).isEqualTo(12000);
        assertThat(a).hasToString("[fd00::1]:12000").isEqualTo(RedisAddress.parseTcp("[fd00::1]:12000"));
        assertThat(RedisAddress.tcp("::1", 6379)).hasToString("[::1]:6379");
        assertThatThrownBy(() -> RedisAddress.parse("fd00::1:12000")).hasMessageContaining("brackets");
    }

    @Test
    void anEndpointPeersReachIsHostAndPortOnly() {
        assertThat(RedisAddress.parseTcp("cluster-b.example:12001")).isEqualTo(RedisAddress.tcp("cluster-b.example", 12001));
        assertThatThrownBy(() -> RedisAddress.parseTcp("unix:/var/run/redis.sock")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host:port expected");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[::1]", "[]:6379", "[1.2.3.4]:6379", "[::1:6379", "::1]:6379", "[[::1]]:6379", "6379", ":6379", "host:", "host:port", "host:0", "host:65536", "a:b:6379", "my host:6379",
            "unix:", "unix:relative.sock", "unix:/dir/", "unix:/a\0b"})
    void malformedIsRefusedWithTheReason(String s) {
        assertThatThrownBy(() -> RedisAddress.parse(s)).isInstanceOf(IllegalArgumentException.class).hasMessageMatching(".*\\S.*");
    }

    @Test
    void aSocketPathTheKernelCannotHoldIsRefused() {
        String longest = "/" + "s".repeat(RedisAddress.MAX_SOCKET_PATH - 1);
        assertThat(RedisAddress.parse("unix:" + longest).socketPath()).hasSize(RedisAddress.MAX_SOCKET_PATH);
        assertThatThrownBy(() -> RedisAddress.parse("unix:" + longest + "s")).hasMessageContaining("longer than 107 bytes");
    }
}
