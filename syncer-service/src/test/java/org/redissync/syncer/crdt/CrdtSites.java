package org.redissync.syncer.crdt;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.redissync.testing.FreePorts;
import org.redissync.testing.RedisServer;

import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Instances of one CRDB, each a real redis-server with the library loaded, without channels: a test moves each
 * instance's op records (read from the shard channel the library publishes them on) to the others itself, in the
 * order and with the repeats it chooses.
 */
final class CrdtSites implements AutoCloseable {

    /** One instance: its server, a client, its clock skew, and every op record it has published, in order. */
    static final class Site {
        final String name;
        final RedisServer server;
        final Jedis jedis;
        final List<byte[]> published = new CopyOnWriteArrayList<>();
        final Map<String, Integer> deliveredFrom = new LinkedHashMap<>();
        final AtomicLong sentinels = new AtomicLong();
        private final Jedis subscriber;
        private final BinaryJedisShardedPubSub pubsub;
        private final Thread thread;
        long skewMs;

        Site(String name) throws Exception {
            this.name = name;
            this.server = RedisServer.start(Files.createTempDirectory("crdt-" + name), FreePorts.next(), false, List.of());
            this.jedis = new Jedis("127.0.0.1", server.port());
            jedis.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE", CrdtLibrary.source());
            this.subscriber = new Jedis("127.0.0.1", server.port());
            this.pubsub = new BinaryJedisShardedPubSub() {
                @Override
                public void onSMessage(byte[] channel, byte[] message) {
                    String s = new String(message, StandardCharsets.ISO_8859_1);
                    if (s.startsWith("sentinel-")) {
                        sentinels.set(Long.parseLong(s.substring(9)));
                    } else {
                        published.add(message);
                    }
                }
            };
            this.thread = new Thread(() -> pubsub.proceed(subscriber.getConnection(), CrdtLibrary.OP_CHANNEL.getBytes(StandardCharsets.UTF_8)),
                    "crdt-sub-" + name);
            thread.setDaemon(true);
            thread.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> pubsub.getSubscribedChannels() == 1);
        }

        /** A client's command through the library, at this instance's (skewed) wall clock. Returns the reply or the error. */
        Object cmd(String... command) {
            List<String> args = new ArrayList<>(List.of(CrdtLibrary.CMD, "0", name,
                    Long.toString(System.currentTimeMillis() + skewMs), "0"));
            args.addAll(List.of(command));
            try {
                return decode(jedis.sendCommand(Protocol.Command.FCALL, args.toArray(String[]::new)));
            } catch (JedisDataException e) {
                return "ERROR " + e.getMessage();
            }
        }

        Object merge(byte[] record, boolean checked) {
            byte[][] args = checked
                    ? new byte[][] {bytes(CrdtLibrary.MERGE), bytes("0"), record}
                    : new byte[][] {bytes(CrdtLibrary.MERGE), bytes("0"), record, bytes("unchecked")};
            return decode(jedis.sendCommand(Protocol.Command.FCALL, args));
        }

        String state(String key) {
            Object s = jedis.sendCommand(Protocol.Command.FCALL, CrdtLibrary.STATE, "0", "0", key);
            return (String) decode(s);
        }

        /** Waits until every op record this instance published so far has reached its subscriber. */
        void drain() {
            long n = sentinels.get() + 1;
            jedis.sendCommand(Protocol.Command.SPUBLISH, CrdtLibrary.OP_CHANNEL, "sentinel-" + n);
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                    .until(() -> sentinels.get() == n);
        }

        void reset() {
            jedis.flushAll();
            // as a new instance: the library's clock (in its memory) starts again too
            jedis.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE", CrdtLibrary.source());
            published.clear();
            deliveredFrom.clear();
            skewMs = 0;
        }

        void close() {
            pubsub.sunsubscribe();
            subscriber.close();
            jedis.close();
            server.close();
        }
    }

    final List<Site> sites = new ArrayList<>();

    CrdtSites(String... names) throws Exception {
        for (String n : names) {
            sites.add(new Site(n));
        }
    }

    Site site(int i) {
        return sites.get(i);
    }

    /** Delivers up to {@code n} of {@code from}'s not yet delivered op records to {@code to}, in order. Returns how many. */
    int deliver(Site from, Site to, int n) {
        int next = to.deliveredFrom.getOrDefault(from.name, 0);
        int end = next + Math.min(from.published.size() - next, n);
        for (int i = next; i < end; i++) {
            to.merge(from.published.get(i), true);
        }
        to.deliveredFrom.put(from.name, end);
        return end - next;
    }

    void drainAll() {
        sites.forEach(Site::drain);
    }

    /** Every op record to every other instance (after each instance's subscriber has all of its own). */
    void deliverAll() {
        sites.forEach(Site::drain);
        for (Site to : sites) {
            for (Site from : sites) {
                if (from != to) {
                    deliver(from, to, Integer.MAX_VALUE);
                }
            }
        }
    }

    void reset() {
        sites.forEach(Site::reset);
    }

    @Override
    public void close() {
        sites.forEach(Site::close);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Object decode(Object reply) {
        if (reply instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> l) {
            return l.stream().map(CrdtSites::decode).toList();
        }
        return reply;
    }
}
