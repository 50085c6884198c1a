package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.events.RedisAddress;
import org.redissync.events.SyncerStatusEvent.ChannelKind;
import org.redissync.testing.RedisServer;
import org.redissync.syncer.shard.Backend;

import redis.clients.jedis.Jedis;

/**
 * A full sync inside a CRDB mesh, with real redis-servers and real channels (plaintext, straight to the peers' Redis):
 * peer a writes; c applies a's stream (channel a→c); b applies a's and c's (a→b, c→b). b's channels stop for a while,
 * and c→b comes back to a position c cannot continue from: c→b loads a snapshot of c, which holds a's writes up to c's
 * position of a→c. b must end with every write of a exactly once.
 */
class MeshFullSyncIT {

    static RedisServer a;
    static RedisServer b;
    static RedisServer c;
    final List<Channel> running = new ArrayList<>();
    final Map<String, Channel> atB = new ConcurrentHashMap<>();
    final Map<String, Channel> atC = new ConcurrentHashMap<>();
    final MeshLoads meshB = new MeshLoads("b", atB::values, 30_000);
    final MeshLoads meshC = new MeshLoads("c", atC::values, 30_000);

    @BeforeAll
    static void start() throws Exception {
        a = RedisServer.start(Files.createTempDirectory("mesh-a"), 0, false, List.of());
        b = RedisServer.start(Files.createTempDirectory("mesh-b"), 0, false, List.of());
        c = RedisServer.start(Files.createTempDirectory("mesh-c"), 0, false, List.of());
    }

    @AfterAll
    static void stopAll() {
        a.close();
        b.close();
        c.close();
    }

    @AfterEach
    void stopChannels() {
        running.forEach(Channel::stop);
    }

    Channel channel(String from, RedisServer source, String to, RedisServer destination, Map<String, Channel> at, MeshLoads mesh) {
        String id = "g/" + from + "->" + to;
        ChannelSpec spec = new ChannelSpec(id, ChannelKind.CRDB, "g", 1, "127.0.0.1", source.port(), from,
                Backend.external(RedisAddress.parse(destination.localAddress())), false, null, null, null, null, true, 0, "", 1);
        Channel ch = new Channel(spec, null, x -> { }, Duration.ofMillis(10), Duration.ofMillis(500), Duration.ofSeconds(30), 500, 10_000,
                1 << 20, mesh.of(spec));
        at.put(id, ch);
        mesh.started(ch);
        ch.start();
        running.add(ch);
        return ch;
    }

    static long counter(RedisServer r) {
        try (Jedis j = new Jedis("127.0.0.1", r.port())) {
            String v = j.get("counter");
            return v == null ? 0 : Long.parseLong(v);
        }
    }

    static long length(RedisServer r) {
        try (Jedis j = new Jedis("127.0.0.1", r.port())) {
            return j.llen("log");
        }
    }

    @Test
    void aFullSyncFromOnePeerHandsItsPositionsToTheOtherPeersChannelsAndNothingIsAppliedTwice() throws Exception {
        long fullSyncsBefore;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Jedis j = new Jedis("127.0.0.1", a.port())) {
                while (writing.get()) {
                    long n = j.incr("counter");
                    j.rpush("log", Long.toString(n));
                    written.set(n);
                }
            }
        }, "writer at a");
        writer.start();
        try {
            channel("a", a, "c", c, atC, meshC);
            Channel ab = channel("a", a, "b", b, atB, meshB);
            Channel cb = channel("c", c, "b", b, atB, meshB);
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(b) > 2000 && counter(c) > 2000);

            // b's syncer goes away; a→c goes on, so c is ahead of b in a's stream
            ab.stop();
            cb.stop();
            running.remove(ab);
            running.remove(cb);
            long bStoppedAt = counter(b);
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(c) > bStoppedAt + 5000);
            // c→b's position is one c cannot continue from (its backlog moved on): the next connection loads a snapshot of c
            try (Jedis j = new Jedis("127.0.0.1", b.port())) {
                j.select(Position.RESERVED_DB);
                Position stale = Position.decode(j.get(Position.key("g/c->b")));
                fullSyncsBefore = stale.fullResyncs();
                j.set(Position.key("g/c->b"), stale.at("0".repeat(40), 1, 0).encode());
            }

            channel("a", a, "b", b, atB, meshB);
            channel("c", c, "b", b, atB, meshB);
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(b) > bStoppedAt + 10_000);
        } finally {
            writing.set(false);
            writer.join(10_000);
        }
        long total = written.get();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(counter(c)).as("c: every INCR of a once").isEqualTo(total);
            assertThat(counter(b)).as("b: every INCR of a once (the snapshot of c and channel a→b must not both apply one)").isEqualTo(total);
            assertThat(length(b)).as("b: every RPUSH of a once").isEqualTo(total);
        });
        try (Jedis j = new Jedis("127.0.0.1", b.port())) {
            assertThat(j.lrange("log", total - 3, -1)).containsExactly(Long.toString(total - 2), Long.toString(total - 1), Long.toString(total));
            j.select(Position.RESERVED_DB);
            assertThat(Position.decode(j.get(Position.key("g/c->b"))).fullResyncs()).as("c→b loaded a snapshot").isEqualTo(fullSyncsBefore + 1);
        }
    }
}
