package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.events.TlsMode;
import org.redissync.syncer.crdt.CrdtLibrary;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.testing.RedisServer;
import org.redissync.testing.SharedKafka;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The endpoint of a convergent CRDB instance, with real clients in front and a real redis-server (with the convergence
 * library) behind: covered writes reach Redis as calls of the library, stamped by the endpoint; what the model does not
 * cover is refused by name; reads, transactions, pipelines, inline and large commands behave as Redis's own.
 */
@QuarkusTest
@TestProfile(ConvergentEndpointIT.Convergent.class)
@WithTestResource(value = EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class ConvergentEndpointIT {

    public static class Convergent implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("redissync.crdt.convergent", "true");
        }
    }

    static RedisServer behind;

    @Inject
    SyncerEvents events;

    @Inject
    EndpointManager manager;

    @BeforeAll
    static void redis() throws Exception {
        behind = RedisServer.start(SharedKafka.workDir().resolve("converge-behind-" + System.nanoTime()), 0, false, List.of());
        try (Jedis j = new Jedis("127.0.0.1", behind.port())) {
            j.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE", CrdtLibrary.source());
        }
    }

    @AfterAll
    static void stop() {
        behind.close();
    }

    TestBdbs.Bdb instance() throws Exception {
        return TestBdbs.open(events, manager, behind.localAddress(), TestBdbs.tls(TlsMode.DISABLED), 0, "g-" + System.nanoTime());
    }

    static String state(String key) {
        try (Jedis j = new Jedis("127.0.0.1", behind.port())) {
            Object s = j.sendCommand(Protocol.Command.FCALL, CrdtLibrary.STATE, "0", "0", key);
            return s == null ? null : new String((byte[]) s, StandardCharsets.UTF_8);
        }
    }

    @Test
    void coveredWritesGoThroughTheLibraryStampedByTheEndpoint() throws Exception {
        TestBdbs.Bdb b = instance();
        long before = System.currentTimeMillis();
        try (Jedis j = new Jedis("127.0.0.1", b.port())) {
            assertThat(j.set("conv:k", "v")).isEqualTo("OK");
            assertThat(j.get("conv:k")).isEqualTo("v");
            assertThat(j.incr("conv:n")).isEqualTo(1L);
            assertThat(j.incrBy("conv:n", 4)).isEqualTo(5L);
            assertThat(j.hset("conv:h", Map.of("f", "1"))).isEqualTo(1L);
            assertThat(j.sadd("conv:s", "a", "b")).isEqualTo(2L);
            assertThat(j.expire("conv:k", 100)).isEqualTo(1L);
            assertThat(j.ttl("conv:k")).isBetween(99L, 100L);
            assertThatThrownBy(() -> j.hset("conv:k", "f", "v")).hasMessageContaining("WRONGTYPE");
            assertThat(j.keys("conv:*")).containsExactlyInAnyOrder("conv:k", "conv:n", "conv:h", "conv:s");
        }
        String s = state("conv:k");
        assertThat(s).contains("ro=\"" + events.cluster() + "\"");
        long stampMs = Long.parseLong(s.replaceAll(".*rh=(\\d+).*", "$1")) / 1024;
        assertThat(stampMs).as("the endpoint's wall clock in the stamp").isBetween(before - 1000, System.currentTimeMillis() + 1000);
    }

    @Test
    void aCrdbInstanceWithARedisOfItsOwnGetsTheLibraryBeforeItsClients() throws Exception {
        // 1 MB: an idle redis-server with the library is already above it, so the library goes in with the limit lifted
        TestBdbs.Bdb b = TestBdbs.open(events, manager, null, TestBdbs.tls(TlsMode.DISABLED), 0, "g-" + System.nanoTime(), 1 << 20);
        await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Jedis j = new Jedis("127.0.0.1", b.port())) {
                return "PONG".equals(j.ping());
            }
        });
        try (Jedis j = new Jedis("127.0.0.1", b.port())) {
            // the library is there (without it: "ERR Function not found"); the instance is full, so the write is refused
            assertThatThrownBy(() -> j.set("own:k", "v")).hasMessageStartingWith("OOM command not allowed");
        }
        TestBdbs.Bdb roomy = TestBdbs.open(events, manager, null, TestBdbs.tls(TlsMode.DISABLED), 0, "g-" + System.nanoTime(), 64L << 20);
        await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Jedis j = new Jedis("127.0.0.1", roomy.port())) {
                return "PONG".equals(j.ping());
            }
        });
        try (Jedis j = new Jedis("127.0.0.1", roomy.port())) {
            assertThat(j.set("own:k", "v")).isEqualTo("OK");
            assertThat(j.incr("own:n")).isEqualTo(1L);
            assertThat(j.get("own:k")).isEqualTo("v");
        }
    }

    @Test
    void writesTheModelDoesNotCoverAreRefusedAndNothingReachesRedis() throws Exception {
        TestBdbs.Bdb b = instance();
        try (Jedis j = new Jedis("127.0.0.1", b.port())) {
            assertThatThrownBy(() -> j.rpush("conv:l", "x")).isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("ERR RPUSH is not supported on an Active-Active database");
            assertThatThrownBy(() -> j.eval("return redis.call('SET', 'conv:e', '1')")).hasMessageStartingWith("ERR EVAL is not supported");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.FCALL, CrdtLibrary.MERGE, "0", "x"))
                    .hasMessageStartingWith("ERR FCALL is not supported");
            assertThatThrownBy(() -> j.flushAll()).hasMessageStartingWith("ERR FLUSHALL is not supported");
            assertThatThrownBy(() -> j.select(1)).hasMessageStartingWith("ERR DB index is out of range");
            assertThat(j.select(0)).isEqualTo("OK");
            assertThat(j.exists("conv:l", "conv:e")).isZero();
        }
    }

    @Test
    void transactionsPipelinesInlineAndLargeCommandsWork() throws Exception {
        TestBdbs.Bdb b = instance();
        try (Jedis j = new Jedis("127.0.0.1", b.port())) {
            Transaction t = j.multi();
            Response<String> set = t.set("conv:t1", "1");
            Response<Long> incr = t.incr("conv:t2");
            Response<String> get = t.get("conv:t1");
            t.exec();
            assertThat(set.get()).isEqualTo("OK");
            assertThat(incr.get()).isEqualTo(1L);
            assertThat(get.get()).isEqualTo("1");

            Pipeline p = j.pipelined();
            for (int i = 0; i < 2000; i++) {
                p.set("conv:p" + (i % 50), Integer.toString(i));
                p.incr("conv:pc");
            }
            Response<String> last = p.get("conv:p49");
            p.sync();
            assertThat(last.get()).isEqualTo("1999");
            assertThat(j.get("conv:pc")).isEqualTo("2000");

            String big = "x".repeat(5 << 20);
            assertThat(j.set("conv:big", big)).isEqualTo("OK");
            assertThat(j.strlen("conv:big")).isEqualTo(big.length());
            assertThat(state("conv:big")).contains("ro=\"" + events.cluster() + "\"");
            // held whole before it goes on: past the limit it is refused, and the connection goes on
            String huge = "x".repeat(CrdtCommands.MAX_WRITE + 1);
            assertThatThrownBy(() -> j.set("conv:huge", huge)).hasMessageStartingWith("ERR a write to an Active-Active database is limited to 64 MB");
            assertThat(j.get("conv:t1")).isEqualTo("1");
            assertThat(j.exists("conv:huge")).isFalse();
        }
        try (Socket s = new Socket("127.0.0.1", b.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("SET conv:inline hello\r\nGET conv:inline\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] expect = "+OK\r\n$5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] got = in.readNBytes(expect.length);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo(new String(expect, StandardCharsets.US_ASCII));
        }
        assertThat(state("conv:inline")).isNotNull();
    }
}
