package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.events.RedisAddress;
import org.redissync.events.SyncerStatusEvent.ChannelKind;
import org.redissync.syncer.crdt.CrdtLibrary;
import org.redissync.syncer.shard.Backend;
import org.redissync.testing.RedisServer;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Three instances of a convergent CRDB with real redis-servers and the six real channels between them (plaintext,
 * straight to the peers' Redis; the writers call the library as the endpoint does): data written before the channels
 * exist is merged by each first contact's full sync, concurrent writers at all three on the same keys with random
 * commands, one channel stopped for a while and resumed; at the end every instance holds the same state, type, value
 * and expiry for every key, and nothing was echoed (each instance applied only its peers' own writes).
 */
class ConvergentChannelsIT {

    static final String[] NAMES = {"cluster-a", "cluster-b", "cluster-c"};
    static final List<RedisServer> servers = new ArrayList<>();
    final List<Channel> running = new ArrayList<>();
    final Map<String, Map<String, Channel>> at = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        for (String n : NAMES) {
            RedisServer r = RedisServer.start(Files.createTempDirectory("converge-" + n), 0, false, List.of("--repl-backlog-size", "64mb"));
            try (Jedis j = jedis(r)) {
                j.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE", CrdtLibrary.source());
            }
            servers.add(r);
        }
    }

    @AfterAll
    static void stopAll() {
        servers.forEach(RedisServer::close);
    }

    @AfterEach
    void stopChannels() {
        running.forEach(Channel::stop);
    }

    static Jedis jedis(RedisServer r) {
        return new Jedis("127.0.0.1", r.port());
    }

    Channel channel(int from, int to) {
        String id = "g/" + NAMES[from] + "->" + NAMES[to];
        ChannelSpec spec = new ChannelSpec(id, ChannelKind.CRDB, "g", 1, "127.0.0.1", servers.get(from).port(), NAMES[from],
                Backend.external(RedisAddress.parse(servers.get(to).localAddress())), false, null, null, null, null, true, 0, "", 1);
        Map<String, Channel> mine = at.computeIfAbsent(NAMES[to], k -> new ConcurrentHashMap<>());
        MeshLoads mesh = loads.computeIfAbsent(NAMES[to], k -> new MeshLoads(k, mine::values, 30_000));
        Channel ch = new Channel(spec, null, sp -> {
            throw new IllegalStateException("no password");
        }, x -> { }, Duration.ofMillis(10), Duration.ofMillis(500), Duration.ofSeconds(30), 500, 10_000, 1 << 20, mesh.of(spec), true);
        mine.put(id, ch);
        mesh.started(ch);
        ch.start();
        running.add(ch);
        return ch;
    }

    final Map<String, MeshLoads> loads = new ConcurrentHashMap<>();

    static Object write(Jedis j, String origin, String... command) {
        List<String> args = new ArrayList<>(List.of(CrdtLibrary.CMD, "0", origin, Long.toString(System.currentTimeMillis()), "0"));
        args.addAll(List.of(command));
        try {
            return j.sendCommand(Protocol.Command.FCALL, args.toArray(String[]::new));
        } catch (JedisDataException e) {
            return e; // WRONGTYPE and the like: part of a random history
        }
    }

    @Test
    void concurrentWritersAtThreeInstancesEndIdenticalWithAChannelStoppedAndFullSyncsOnTheWay() throws Exception {
        // before any channel: each instance has data of its own, some on the same keys (the first full syncs merge it)
        Random seedRandom = new Random();
        long seed = seedRandom.nextLong();
        for (int i = 0; i < 3; i++) {
            try (Jedis j = jedis(servers.get(i))) {
                Random rnd = new Random(seed + i);
                for (int n = 0; n < 200; n++) {
                    write(j, NAMES[i], org.redissync.syncer.crdt.CrdtLibraryIT.randomCommand(rnd));
                }
                write(j, NAMES[i], "INCRBY", "total", "1000");
            }
        }
        for (int from = 0; from < 3; from++) {
            for (int to = 0; to < 3; to++) {
                if (from != to) {
                    channel(from, to);
                }
            }
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong increments = new AtomicLong(3000);
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int site = i;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed + 10 + site);
                try (Jedis j = jedis(servers.get(site))) {
                    while (writing.get()) {
                        write(j, NAMES[site], org.redissync.syncer.crdt.CrdtLibraryIT.randomCommand(rnd));
                        if (write(j, NAMES[site], "INCR", "total") instanceof Long) {
                            increments.incrementAndGet();
                        }
                        if (rnd.nextInt(20) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                }
            }, "writer-" + NAMES[site]);
            t.start();
            writers.add(t);
        }
        // a channel stops for a while under writes, then resumes from its committed position
        Channel stopped = at.get("cluster-a").get("g/cluster-b->cluster-a");
        await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> true);
        stopped.stop();
        running.remove(stopped);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        channel(1, 0);
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        writing.set(false);
        for (Thread t : writers) {
            t.join(10_000);
        }
        String label = "seed " + seed;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, Object> first = null;
            for (int i = 0; i < 3; i++) {
                Map<String, Object> seen = snapshot(servers.get(i));
                if (first == null) {
                    first = seen;
                } else {
                    assertThat(seen).as(label + ": " + NAMES[i] + " against " + NAMES[0]).isEqualTo(first);
                }
            }
        });
        for (RedisServer r : servers) {
            try (Jedis j = jedis(r)) {
                assertThat(j.get("total")).as("every acknowledged increment counted once at " + r.port())
                        .isEqualTo(Long.toString(increments.get()));
            }
        }
    }

    /** What an instance holds for every key the writers use: state, type, value, expiry. */
    static Map<String, Object> snapshot(RedisServer r) {
        Map<String, Object> seen = new LinkedHashMap<>();
        try (Jedis j = jedis(r)) {
            List<String> keys = new ArrayList<>(org.redissync.syncer.crdt.CrdtLibraryIT.KEYS);
            keys.add("total");
            for (String k : keys) {
                seen.put(k + " state", j.sendCommand(Protocol.Command.FCALL, CrdtLibrary.STATE, "0", "0", k) instanceof byte[] b
                        ? new String(b) : null);
                String type = j.type(k);
                seen.put(k + " type", type);
                seen.put(k + " value", switch (type) {
                    case "string" -> j.get(k);
                    case "hash" -> new java.util.TreeMap<>(j.hgetAll(k));
                    case "set" -> new java.util.TreeSet<>(j.smembers(k));
                    case "zset" -> j.zrangeWithScores(k, 0, -1).toString();
                    default -> null;
                });
                seen.put(k + " expires", j.pexpireTime(k));
            }
            seen.put("dbsize", j.dbSize());
        }
        return seen;
    }
}
