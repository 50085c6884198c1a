package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.redissync.events.RedisAddress;
import org.redissync.testing.FreePorts;
import org.redissync.testing.RedisServer;

/** The applier's connection to its backend, over TCP and over a Unix socket, against a real redis-server. */
class BackendConnectionIT {

    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(Files.createTempDirectory("backend-conn"), FreePorts.next(), false, List.of());
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    static RedisAddress address(String kind) {
        return kind.equals("unix") ? RedisAddress.unix(redis.unixSocket().orElseThrow().toString())
                : RedisAddress.tcp("127.0.0.1", redis.port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void commandsAndRepliesBothWaysIncludingOnesLargerThanTheSocketBuffers(String kind) throws IOException {
        byte[] big = new byte[8 * 1024 * 1024]; // far more than a socket buffer: writes wait for room, reads for data
        Arrays.fill(big, (byte) 'v');
        big[big.length - 1] = 'z';
        try (BackendConnection c = new BackendConnection(address(kind), 2000)) {
            assertThat(c.call("PING")).isEqualTo("PONG");
            c.write("SET".getBytes(), ("big-" + kind).getBytes(), big);
            for (int i = 0; i < 1000; i++) {
                c.write("INCR", "n-" + kind);
            }
            c.write("GET", "big-" + kind);
            c.flush();
            assertThat(c.read()).isEqualTo("OK");
            for (int i = 1; i <= 1000; i++) {
                assertThat(c.read()).isEqualTo((long) i);
            }
            assertThat((byte[]) c.read()).isEqualTo(big);
            assertThat(c.call("NOSUCHCOMMAND")).isInstanceOf(BackendConnection.Error.class);
        }
    }

    @Test
    void aUnixSocketBackendThatDoesNotAnswerTimesOut() throws Exception {
        Path sock = Files.createTempDirectory("silent").resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            try (BackendConnection c = new BackendConnection(RedisAddress.unix(sock.toString()), 1000, 300);
                    SocketChannel accepted = server.accept()) {
                c.write("PING");
                c.flush();
                long t0 = System.nanoTime();
                assertThatThrownBy(c::read).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("300 ms");
                assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 10_000L);
            }
        }
    }

    @Test
    void aMissingSocketFailsToConnect() {
        assertThatThrownBy(() -> new BackendConnection(RedisAddress.unix("/nonexistent/redis.sock"), 1000))
                .isInstanceOf(IOException.class);
    }
}
