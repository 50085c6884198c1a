package org.redissync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerIT {

    @TempDir
    Path dir;

    @Test
    void startsOnAFreeLoopbackPortAndStopsLeavingNoProcess() {
        RedisServer server = RedisServer.start(dir.resolve("a"), 0, false, List.of());
        long pid = server.process().pid();
        assertThat(server.answersPing()).isTrue();
        server.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(FreePorts.inUse(server.port())).isFalse();
    }

    @Test
    void theBundledBinaryRunsWhereNoRedisIsInstalled() {
        Path bundled = RedisServer.bundledBinary();
        try (RedisServer server = RedisServer.start(bundled, dir.resolve("b"), 0, false, List.of())) {
            assertThat(server.answersPing()).isTrue();
        }
    }

    @Test
    void aPortInUseIsOneReadableLine() {
        try (RedisServer first = RedisServer.start(dir.resolve("c"), 0, false, List.of())) {
            assertThatThrownBy(() -> RedisServer.start(dir.resolve("d"), first.port(), false, List.of()))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("port " + first.port() + " is already in use");
        }
    }
}
