package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Convergent Active-Active end to end (issue 19): a local suite whose syncer-services run with
 * {@code redissync.crdt.convergent} (the default), a CRDB over three clusters without encryption, and writers at all three clusters'
 * endpoints on the same keys with random commands of every covered type (strings, counters, hashes, sets, sorted
 * sets, expiry, deletes) and random pauses. In the middle, cluster-b's syncer-service is frozen for 10 s (every channel into and
 * out of b stops: those it runs, and those that pull through its endpoint), and encryption is switched on. At the end
 * every cluster holds the same data, compared key by key (type, value, expiry time), and every acknowledged {@code INCR}
 * counted once. {@code -Dconvergence.runs=N} repeats the scenario N times on fresh keys in one suite.
 */
@ExtendWith(SharedSuite.class)
@Order(1)
class ConvergenceIT {

    static final List<String> CLUSTERS = List.of("cluster-a", "cluster-b", "cluster-c");
    static SuiteProcess suite;
    static String guid;
    static final Map<String, Integer> ports = new LinkedHashMap<>();

    @BeforeAll
    static void up() {
        suite = SharedSuite.suite();
        var created = suite.crdbCli("crdb", "create", "--name", "conv", "--memory-size", "100mb", "--instance", "fqdn=cluster-a",
                "--instance", "fqdn=cluster-b", "--instance", "fqdn=cluster-c");
        assertThat(created.exitCode()).as(created.output()).isZero();
        Matcher m = Pattern.compile("([0-9a-f-]{36})\\s+conv").matcher(suite.crdbCli("crdb", "list").output());
        assertThat(m.find()).isTrue();
        guid = m.group(1);
        ports.putAll(suite.instancePorts(guid));
        assertThat(ports.keySet()).containsExactlyInAnyOrderElementsOf(CLUSTERS);
    }

    static Jedis jedis(String cluster) {
        return new Jedis("127.0.0.1", ports.get(cluster));
    }

    @Test
    void writersAtThreeClustersOnTheSameKeysEndIdenticalThroughAFrozenSyncerAndAnEncryptionSwitch() throws Exception {
        int runs = Integer.getInteger("convergence.runs", 1);
        try (Jedis j = jedis("cluster-a")) {
            assertThat(((JedisDataException) catchError(() -> j.rpush("l", "x"))).getMessage())
                    .as("the suite runs convergent: a list write is refused").startsWith("ERR RPUSH is not supported on an Active-Active");
        }
        for (int run = 1; run <= runs; run++) {
            scenario(run, run % 2 == 1);
            System.out.printf("convergence run %d of %d: identical at all three clusters%n", run, runs);
        }
        // the runs' keys deleted at one cluster: every instance drops their state once all three have seen the deletes
        Map<String, Double> before = collected();
        try (Jedis j = jedis("cluster-a")) {
            for (int run = 1; run <= runs; run++) {
                for (int i = 0; i < 5; i++) {
                    j.del("r" + run + ":k" + i);
                }
                j.del("r" + run + ":total");
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, Double> now = collected();
            for (String c : CLUSTERS) {
                assertThat(now.get(c) - before.get(c)).as("tombstones collected at " + c).isGreaterThan(0);
            }
        });
    }

    /** Each syncer-service's redissync_crdt_tombstones_collected_total. */
    static Map<String, Double> collected() throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        for (JsonNode c : suite.description().get("clusters")) {
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(c.get("management_url").asText() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("^redissync_crdt_tombstones_collected_total(?:\\{[^}]*})?\\s+([0-9.E]+)$", Pattern.MULTILINE)
                    .matcher(metrics);
            out.put(c.get("name").asText(), m.find() ? Double.parseDouble(m.group(1)) : 0.0);
        }
        return out;
    }

    static Object catchError(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private void scenario(int run, boolean switchOn) throws Exception {
        String prefix = "r" + run + ":";
        long seed = new Random().nextLong();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong increments = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (String cluster : CLUSTERS) {
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed + cluster.hashCode());
                Jedis j = null;
                while (writing.get()) {
                    try {
                        if (j == null) {
                            j = jedis(cluster);
                        }
                        String[] c = randomCommand(rnd, prefix);
                        try {
                            j.sendCommand(Protocol.Command.valueOf(c[0]), java.util.Arrays.copyOfRange(c, 1, c.length));
                        } catch (JedisDataException e) {
                            if (!e.getMessage().startsWith("WRONGTYPE") && !e.getMessage().contains("not an integer")
                                    && !e.getMessage().contains("not a valid float")) {
                                failures.add(e);
                            }
                        }
                        if (j.incr(prefix + "total") > 0) {
                            increments.incrementAndGet();
                        }
                        if (rnd.nextInt(10) == 0) {
                            Thread.sleep(rnd.nextInt(20)); // random delays between writes
                        }
                    } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                        if (j != null) {
                            j.close();
                        }
                        j = null; // b's endpoint frozen or restarted: an unacknowledged INCR is not counted
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (j != null) {
                    j.close();
                }
            }, "writer-" + cluster);
            t.start();
            writers.add(t);
        }
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        long pid = suite.pid("syncer-service-cluster-b");
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor()).isZero();
        try {
            await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        }
        var switched = suite.crdbCli("crdb", "update", "--crdb-guid", guid, "--encryption", switchOn ? "true" : "false");
        assertThat(switched.exitCode()).as(switched.output()).isZero();
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        writing.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        assertThat(failures).as("errors other than the type and number errors of a random history").isEmpty();
        String label = "run " + run + " seed " + seed;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Object> first = null;
            for (String c : CLUSTERS) {
                Map<String, Object> seen = snapshot(c, prefix);
                if (first == null) {
                    first = seen;
                } else {
                    assertThat(seen).as(label + ": " + c + " against cluster-a").isEqualTo(first);
                }
            }
        });
        for (String c : CLUSTERS) {
            try (Jedis j = jedis(c)) {
                assertThat(Long.parseLong(j.get(prefix + "total"))).as(label + ": INCRs at " + c)
                        .isGreaterThanOrEqualTo(increments.get());
            }
        }
        JsonNode crdb = suite.api("GET", "/v1/crdbs/" + guid, null);
        System.out.printf("run %d: %d acknowledged INCRs (each with a random write) at three clusters, encryption %s, final %s%n", run,
                increments.get(), crdb.get("encryption").asText(), snapshot("cluster-a", prefix));
    }

    /** Every key of the run at one cluster: type, value, expiry time (keys about to expire are compared once gone). */
    static Map<String, Object> snapshot(String cluster, String prefix) {
        Map<String, Object> seen = new TreeMap<>();
        try (Jedis j = jedis(cluster)) {
            for (int i = 0; i < 5; i++) {
                String k = prefix + "k" + i;
                String type = j.type(k);
                long at = j.pexpireTime(k);
                if (at > 0 && at < System.currentTimeMillis() + 2000) {
                    seen.put(k, "expiring");
                    continue;
                }
                Object value = switch (type) {
                    case "string" -> j.get(k);
                    case "hash" -> new TreeMap<>(j.hgetAll(k));
                    case "set" -> new TreeSet<>(j.smembers(k));
                    case "zset" -> j.zrangeWithScores(k, 0, -1).toString();
                    default -> null;
                };
                seen.put(k, type + " " + value + " expires " + at);
            }
            seen.put(prefix + "total", j.get(prefix + "total"));
        }
        return seen;
    }

    /** A random covered write on five shared keys (the same mix as the library's own random test). */
    static String[] randomCommand(Random rnd, String prefix) {
        String k = prefix + "k" + rnd.nextInt(5);
        String k2 = prefix + "k" + rnd.nextInt(5);
        String f = "f" + rnd.nextInt(3);
        String v = rnd.nextInt(3) == 0 ? Integer.toString(rnd.nextInt(100) - 20) : "v" + rnd.nextInt(1000);
        return switch (rnd.nextInt(19)) {
            case 0, 1 -> new String[] {"SET", k, v};
            case 2 -> new String[] {"SET", k, v, "PX", Integer.toString(100 + rnd.nextInt(400))};
            case 3 -> new String[] {"SET", k, v, "EX", "3600"};
            case 4 -> new String[] {"APPEND", k, "+" + rnd.nextInt(10)};
            case 5, 6 -> new String[] {"INCRBY", k, Integer.toString(rnd.nextInt(21) - 10)};
            case 7 -> new String[] {"INCRBYFLOAT", k, "0.25"};
            case 8 -> new String[] {"DEL", k};
            case 9 -> new String[] {"EXPIRE", k, "3600"};
            case 10 -> new String[] {"PERSIST", k};
            case 11 -> new String[] {"HSET", k, f, v};
            case 12 -> new String[] {"HDEL", k, f};
            case 13 -> new String[] {"HINCRBY", k, f, "1"};
            case 14 -> new String[] {"SADD", k, "m" + rnd.nextInt(4)};
            case 15 -> new String[] {"ZADD", k, Integer.toString(rnd.nextInt(10)), "z" + rnd.nextInt(4)};
            case 16 -> new String[] {"ZINCRBY", k, "1.5", "z" + rnd.nextInt(4)};
            case 17 -> new String[] {"ZREM", k, "z" + rnd.nextInt(4)};
            default -> new String[] {"SREM", k, "m" + rnd.nextInt(4), k2.isEmpty() ? "x" : "m" + rnd.nextInt(4)};
        };
    }
}
