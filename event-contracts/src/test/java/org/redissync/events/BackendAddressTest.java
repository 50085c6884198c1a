package org.redissync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BackendAddressTest {

    @Test
    void hostAndPort() {
        BackendAddress a = BackendAddress.parse("redis-a-0.redis:6379");
        assertThat(a.isUnix()).isFalse();
        assertThat(a.host()).isEqualTo("redis-a-0.redis");
        assertThat(a.port()).isEqualTo(6379);
        assertThat(a).hasToString("redis-a-0.redis:6379");
    }

    @Test
    void unixSocket() {
        BackendAddress a = BackendAddress.parse("unix:/var/run/redis/redis-1.sock");
        assertThat(a.isUnix()).isTrue();
        assertThat(a.socketPath()).isEqualTo("/var/run/redis/redis-1.sock");
        assertThat(a.host()).isNull();
        assertThat(a).hasToString("unix:/var/run/redis/redis-1.sock").isEqualTo(BackendAddress.unix("/var/run/redis/redis-1.sock"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "6379", ":6379", "host:", "host:port", "host:0", "host:65536", "a:b:6379", "my host:6379",
            "unix:", "unix:relative.sock", "unix:/dir/", "unix:/a\0b"})
    void malformedIsRefusedWithTheReason(String s) {
        assertThatThrownBy(() -> BackendAddress.parse(s)).isInstanceOf(IllegalArgumentException.class).hasMessageMatching(".*\\S.*");
    }

    @Test
    void aSocketPathTheKernelCannotHoldIsRefused() {
        String longest = "/" + "s".repeat(BackendAddress.MAX_SOCKET_PATH - 1);
        assertThat(BackendAddress.parse("unix:" + longest).socketPath()).hasSize(BackendAddress.MAX_SOCKET_PATH);
        assertThatThrownBy(() -> BackendAddress.parse("unix:" + longest + "s")).hasMessageContaining("longer than 107 bytes");
    }
}
