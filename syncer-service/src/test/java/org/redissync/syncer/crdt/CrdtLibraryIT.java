package org.redissync.syncer.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redissync.syncer.crdt.CrdtSites.Site;

import redis.clients.jedis.Protocol;

/**
 * The convergence library in real redis-servers (three instances of one CRDB, op records moved by the test): each
 * merge rule, and random histories delivered in random orders with repeats ending identical everywhere.
 */
public class CrdtLibraryIT {

    static CrdtSites sites;
    Site a;
    Site b;
    Site c;

    @BeforeAll
    static void start() throws Exception {
        sites = new CrdtSites("cluster-a", "cluster-b", "cluster-c");
    }

    @AfterAll
    static void stop() {
        sites.close();
    }

    @BeforeEach
    void reset() {
        sites.reset();
        a = sites.site(0);
        b = sites.site(1);
        c = sites.site(2);
    }

    @Test
    void concurrentSetsEndWithTheLaterStampEverywhereWhateverOrderTheyArrive() {
        b.skewMs = 5_000;                       // b's clock is ahead: its write is later although a writes after it
        assertThat(b.cmd("SET", "k", "from-b")).isEqualTo("OK");
        assertThat(a.cmd("SET", "k", "from-a")).isEqualTo("OK");
        assertThat(a.jedis.get("k")).isEqualTo("from-a");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("from-b");
        }
        // a write made after seeing b's is later than it, whatever a's clock says
        assertThat(a.cmd("SET", "k", "after")).isEqualTo("OK");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("after");
        }
    }

    @Test
    void equalStampsBreakTiesOnTheClusterId() {
        long wall = System.currentTimeMillis() + 60_000;
        for (Site s : List.of(a, c)) {
            s.jedis.sendCommand(Protocol.Command.FCALL, CrdtLibrary.CMD, "0", s.name, Long.toString(wall), "0", "SET", "k", s.name);
        }
        sites.deliverAll();
        assertThat(a.state("k")).contains("rh=" + wall * 1024);
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("cluster-c");
        }
    }

    @Test
    void aWriteAfterTheLibraryIsLoadedAgainIsStillLaterThanWhatTheInstanceHadSeen() {
        b.skewMs = 30_000;                                    // b's clock is 30 s ahead
        b.cmd("SET", "k", "from-b");
        sites.deliverAll();                                   // a has seen b's stamp: its clock moved past it
        a.jedis.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE", CrdtLibrary.source()); // as after a restart
        assertThat(a.cmd("SET", "k", "after")).isEqualTo("OK");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name + ": a's write came after it had seen b's").isEqualTo("after");
        }
    }

    /** Runs redissync_adopt at {@code site} until its cursor is back at 0; returns {adopted, not covered}. */
    static long[] adopt(Site site) {
        String cursor = "0";
        long[] n = new long[2];
        do {
            List<?> r = (List<?>) CrdtSites.decode(site.jedis.sendCommand(Protocol.Command.FCALL, CrdtLibrary.ADOPT, "0", site.name,
                    Long.toString(System.currentTimeMillis() + site.skewMs), cursor, "2"));
            cursor = (String) r.get(0);
            n[0] += (Long) r.get(1);
            n[1] += (Long) r.get(2);
        } while (!"0".equals(cursor));
        return n;
    }

    @Test
    void keysWrittenBeforeTheLibraryAreAdoptedKeptAndSentToThePeers() {
        // an instance that ran without convergence: its data written straight into Redis, no state
        a.jedis.set("n", "5");
        a.jedis.pexpire("n", 600_000);
        a.jedis.hset("h", Map.of("f1", "1", "f2", "2"));
        a.jedis.sadd("s", "x", "y");
        a.jedis.zadd("z", 1.5, "m");
        a.jedis.rpush("l", "q");
        // b held some of the same keys, one with another value (its plain channels had diverged)
        b.jedis.hset("h", Map.of("f1", "1", "f3", "3"));
        b.jedis.sadd("s", "w");
        assertThat(adopt(a)).as("n, h, s, z adopted; l not covered").containsExactly(4, 1);
        assertThat(adopt(b)).containsExactly(2, 0);
        assertThat(adopt(a)).as("again: every covered key has its state").containsExactly(0, 1);
        // a write starts from what the key held, not from nothing
        assertThat(a.cmd("INCR", "n")).isEqualTo(6L);
        assertThat(a.jedis.pttl("n")).as("its expiry kept").isBetween(1L, 600_000L);
        assertThat(a.cmd("HSET", "h", "f4", "4")).isEqualTo(1L);
        assertThat(a.jedis.hgetAll("h")).containsOnlyKeys("f1", "f2", "f4");
        assertThat(a.jedis.lrange("l", 0, -1)).as("an uncovered type is left as it was").containsExactly("q");
        // the adoptions reached the peers: every instance holds the union, as concurrent writes would make it
        sites.deliverAll();
        for (Site site : List.of(a, b, c)) {
            assertThat(site.jedis.get("n")).as(site.name).isEqualTo("6");
            assertThat(site.jedis.hgetAll("h")).as(site.name).isEqualTo(Map.of("f1", "1", "f2", "2", "f3", "3", "f4", "4"));
            assertThat(site.jedis.smembers("s")).as(site.name).containsExactlyInAnyOrder("w", "x", "y");
            assertThat(site.jedis.zscore("z", "m")).as(site.name).isEqualTo(1.5);
            assertThat(site.state("h")).as(site.name).isEqualTo(a.state("h"));
        }
    }

    @Test
    void aDeleteTakesPartLikeAnyOtherWrite() {
        a.cmd("SET", "k", "v");
        sites.deliverAll();
        b.skewMs = 5_000;
        assertThat(b.cmd("DEL", "k")).isEqualTo(1L);
        assertThat(a.cmd("SET", "k", "earlier")).isEqualTo("OK");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.exists("k")).as(s.name).isFalse();
            assertThat(s.jedis.dbSize()).as(s.name).isZero();
        }
    }

    @Test
    void everyIncrementCountsOnceEverywhere() {
        a.cmd("INCRBY", "n", "7");
        b.cmd("INCRBY", "n", "3");
        c.cmd("DECR", "n");
        assertThat(a.jedis.get("n")).isEqualTo("7");
        sites.deliverAll();
        // and again: nothing is counted twice when records come again
        for (Site to : sites.sites) {
            for (Site from : sites.sites) {
                if (from != to) {
                    from.published.forEach(r -> to.merge(r, false));
                    from.published.forEach(r -> to.merge(r, true));
                }
            }
        }
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("n")).as(s.name).isEqualTo("9");
        }
        a.cmd("DECRBY", "n", "3");
        b.cmd("INCRBY", "n", "6");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("n")).as(s.name).isEqualTo("12");
        }
    }

    @Test
    void aSetResetsTheIncrementsItHasSeenAndConcurrentOnesAddToIt() {
        a.cmd("INCRBY", "n", "5");
        sites.deliverAll();
        b.skewMs = 1_000;
        assertThat(b.cmd("SET", "n", "100")).isEqualTo("OK");   // saw a's 5
        assertThat(a.cmd("INCRBY", "n", "2")).isEqualTo(7L);     // concurrent with the SET
        c.cmd("INCR", "n");                                      // concurrent too
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("n")).as(s.name).isEqualTo("103");
        }
        assertThat(c.cmd("INCRBYFLOAT", "n", "0.5")).isEqualTo("103.5");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("n")).as(s.name).isEqualTo("103.5");
        }
    }

    @Test
    void floatIncrementsAddTheSameEverywhere() {
        a.cmd("INCRBYFLOAT", "f", "0.1");
        b.cmd("INCRBYFLOAT", "f", "0.2");
        c.cmd("INCRBYFLOAT", "f", "1e-3");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("f")).as(s.name).isEqualTo("0.301");
        }
    }

    @Test
    void aKeyExpiresAtTheSameInstantEverywhereAndTheLaterTtlChangeWins() {
        a.cmd("SET", "k", "v", "EX", "100");
        sites.deliverAll();
        long at = a.jedis.pexpireTime("k");
        for (Site s : sites.sites) {
            assertThat(s.jedis.pexpireTime("k")).as(s.name).isEqualTo(at);
        }
        b.skewMs = 1_000;
        assertThat(b.cmd("PERSIST", "k")).isEqualTo(1L);
        assertThat(a.cmd("EXPIRE", "k", "500")).isEqualTo(1L);   // earlier by the clocks
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.pexpireTime("k")).as(s.name).isEqualTo(-1L);
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("v");
        }
    }

    @Test
    void aPersistThatArrivesAfterTheKeyExpiredThereBringsItsValueBack() {
        a.cmd("SET", "k", "v", "PX", "1500");
        sites.deliverAll();
        b.skewMs = 1_000;
        assertThat(b.cmd("PERSIST", "k")).isEqualTo(1L);
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.jedis.exists("k") && !c.jedis.exists("k"));
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("v");
            assertThat(s.jedis.pexpireTime("k")).as(s.name).isEqualTo(-1L);
        }
    }

    @Test
    void repliesAndErrorsAreRedissOwn() {
        assertThat(a.cmd("SET", "k", "v", "NX")).isEqualTo("OK");
        assertThat(a.cmd("SET", "k", "w", "NX")).isNull();
        assertThat(a.cmd("SET", "k", "w", "XX", "GET")).isEqualTo("v");
        assertThat(a.cmd("SET", "k", "x", "EX", "0")).isEqualTo("ERROR ERR invalid expire time in 'set' command");
        assertThat(a.cmd("SET", "k", "x", "EX", "ten")).isEqualTo("ERROR ERR value is not an integer or out of range");
        assertThat(a.cmd("SET", "k", "x", "NX", "XX")).isEqualTo("ERROR ERR syntax error");
        assertThat(a.cmd("INCR", "k")).isEqualTo("ERROR ERR value is not an integer or out of range");
        assertThat(a.cmd("INCRBYFLOAT", "k", "1")).isEqualTo("ERROR ERR value is not a valid float");
        assertThat(a.cmd("APPEND", "k", "yz")).isEqualTo(3L);
        assertThat(a.cmd("SETRANGE", "k", "5", "!")).isEqualTo(6L);
        assertThat(a.jedis.get("k")).isEqualTo("wyz\0\0!");
        assertThat(a.cmd("GETDEL", "k")).isEqualTo("wyz\0\0!");
        assertThat(a.cmd("GETDEL", "k")).isNull();
        assertThat(a.cmd("MSET", "x", "1", "y", "2")).isEqualTo("OK");
        assertThat(a.cmd("MSETNX", "y", "3", "z", "4")).isEqualTo(0L);
        assertThat(a.cmd("DEL", "x", "y", "z")).isEqualTo(2L);
        assertThat(a.cmd("SETEX", "t", "100", "v")).isEqualTo("OK");
        assertThat(a.jedis.ttl("t")).isBetween(99L, 100L);
        assertThat(a.cmd("EXPIRE", "t", "50", "GT")).isEqualTo(0L);
        assertThat(a.cmd("EXPIRE", "t", "50", "LT")).isEqualTo(1L);
        assertThat(a.cmd("GETEX", "t", "PERSIST")).isEqualTo("v");
        assertThat(a.jedis.ttl("t")).isEqualTo(-1L);
        assertThat(a.cmd("INCRBY", "big", "9007199254740991")).isEqualTo(9007199254740991L);
        assertThat(a.cmd("INCR", "big")).isEqualTo("ERROR ERR increment or decrement would overflow");
        assertThat(a.cmd("LPUSH", "l", "x")).asString().startsWith("ERROR ERR redissync_cmd: LPUSH is not a convergent command");
    }

    @Test
    void hashesFollowTheStringRulesFieldByField() {
        a.cmd("HSET", "h", "name", "x", "n", "1");
        sites.deliverAll();
        b.skewMs = 2_000;
        assertThat(b.cmd("HSET", "h", "name", "from-b")).isEqualTo(0L);
        assertThat(a.cmd("HSET", "h", "name", "from-a", "city", "Paris")).isEqualTo(1L);
        assertThat(a.cmd("HINCRBY", "h", "n", "5")).isEqualTo(6L);
        assertThat(c.cmd("HINCRBY", "h", "n", "10")).isEqualTo(11L);
        assertThat(c.cmd("HDEL", "h", "city", "nothing")).isEqualTo(0L);
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.hgetAll("h")).as(s.name).isEqualTo(Map.of("name", "from-b", "n", "16", "city", "Paris"));
        }
        assertThat(c.cmd("HDEL", "h", "city")).isEqualTo(1L);
        assertThat(a.cmd("SET", "h", "x")).isEqualTo("OK");          // a string now, later than every field
        assertThat(b.cmd("HSET", "h", "late", "1")).isEqualTo(1L);
        sites.deliverAll();
        for (Site s : sites.sites) {
            // a type change wins over writes to the old type it did not see: b's HSET went to the old hash
            assertThat(s.jedis.type("h")).as(s.name).isEqualTo("string");
        }
    }

    @Test
    void sortedSetsAddWinsAndScoresAreCounters() {
        a.cmd("ZADD", "z", "1", "x", "10", "y");
        sites.deliverAll();
        a.skewMs = 5_000;
        assertThat(a.cmd("ZREM", "z", "x")).isEqualTo(1L);           // later by the clocks: still loses to the update
        assertThat(b.cmd("ZINCRBY", "z", "2", "x")).isEqualTo("3");
        assertThat(b.cmd("ZINCRBY", "z", "5", "y")).isEqualTo("15");  // concurrent increments of one score add up
        assertThat(c.cmd("ZINCRBY", "z", "1", "y")).isEqualTo("11");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.zrangeWithScores("z", 0, -1).stream().map(t -> t.getElement() + "=" + t.getScore()).toList())
                    .as(s.name).containsExactly("x=3.0", "y=16.0");
        }
        assertThat(c.cmd("ZADD", "z", "100", "y")).isEqualTo(0L);     // a ZADD resets the increments it has seen
        assertThat(a.cmd("ZINCRBY", "z", "1", "y")).isEqualTo("17");  // concurrent with it: added on top
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.zscore("z", "y")).as(s.name).isEqualTo(101.0);
        }
        assertThat(a.cmd("ZPOPMIN", "z")).isEqualTo(List.of("x", "3"));
        sites.deliverAll();
        assertThat(b.cmd("ZREMRANGEBYSCORE", "z", "0", "200")).isEqualTo(1L);
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.exists("z")).as(s.name).isFalse();
        }
    }

    @Test
    void aKeyThatChangesTypeWhileAnotherInstanceWritesTheOldTypeConverges() {
        a.cmd("HSET", "k", "f1", "v");
        sites.deliverAll();
        assertThat(a.cmd("SET", "k", "now-a-string")).isEqualTo("OK");   // replaces the hash: f1 deleted
        assertThat(b.cmd("HSET", "k", "f2", "w")).isEqualTo(1L);         // b still sees the hash
        sites.deliver(b, c, 1);                                           // c gets b's field before a's string
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("k")).as(s.name).isEqualTo("now-a-string");
        }
        assertThat(c.cmd("DEL", "k")).isEqualTo(1L);
        assertThat(c.cmd("HSET", "k", "f3", "x")).isEqualTo(1L);         // a hash made anew: f2 is not in it
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.hgetAll("k")).as(s.name).isEqualTo(Map.of("f3", "x"));
            assertThat(s.state("k")).as(s.name).isEqualTo(a.state("k"));
        }
    }

    @Test
    void aSetsAddWinsOverAConcurrentRemove() {
        a.cmd("SADD", "s", "x", "y");
        sites.deliverAll();
        a.skewMs = 5_000;                                           // the remove is later by the clocks, and still loses
        assertThat(a.cmd("SREM", "s", "x")).isEqualTo(1L);
        assertThat(b.cmd("SADD", "s", "x")).isEqualTo(0L);          // concurrent: a's remove has not seen it
        assertThat(c.cmd("SREM", "s", "y")).isEqualTo(1L);
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.smembers("s")).as(s.name).containsExactly("x");
        }
        assertThat(b.cmd("SREM", "s", "x")).isEqualTo(1L);          // a remove that has seen every add
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.exists("s")).as(s.name).isFalse();
        }
        assertThat(c.cmd("DEL", "s")).isEqualTo(0L);
        assertThat(c.cmd("SADD", "s", "z")).isEqualTo(1L);
        assertThat(c.cmd("HSET", "s", "f", "v")).isEqualTo("ERROR WRONGTYPE Operation against a key holding the wrong kind of value");
    }

    /** {collected, waiting} of a whole pass of tombstone collection at {@code s}. */
    long[] collect(Site s) {
        long collected = 0;
        long waiting = 0;
        String cursor;
        do {
            List<?> r = (List<?>) s.jedis.sendCommand(Protocol.Command.FCALL, "redissync_gc", "0", s.name, "100", "cluster-a", "cluster-b",
                    "cluster-c");
            collected += (Long) r.get(0);
            waiting += (Long) r.get(1);
            cursor = new String((byte[]) r.get(2));
        } while (!cursor.equals("0"));
        return new long[] {collected, waiting};
    }

    void tickAll() {
        for (Site s : sites.sites) {
            s.jedis.sendCommand(Protocol.Command.FCALL, CrdtLibrary.TICK, "0", s.name, Long.toString(System.currentTimeMillis()));
        }
    }

    @Test
    void tombstonesGoOnceEveryInstanceHasSeenThemAndNotBefore() {
        a.cmd("SET", "gone", "v");
        a.cmd("SET", "live", "v");
        a.cmd("SET", "late", "v");
        sites.deliverAll();
        a.cmd("DEL", "gone");
        sites.deliverAll();
        assertThat(collect(a)).as("no peer has said what it has seen yet").containsExactly(0, 1);
        tickAll();
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(collect(s)).as(s.name).containsExactly(1, 0);
            assertThat(s.state("gone")).as(s.name).isNull();
            assertThat(s.state("live")).as(s.name).isNotNull();
        }
        // c has not applied this delete: nobody collects it
        a.cmd("DEL", "late");
        sites.drainAll();
        sites.deliver(a, b, Integer.MAX_VALUE);
        tickAll();
        sites.drainAll();
        sites.deliver(b, a, Integer.MAX_VALUE);
        sites.deliver(c, a, Integer.MAX_VALUE);
        sites.deliver(c, b, Integer.MAX_VALUE);
        sites.deliver(a, b, Integer.MAX_VALUE);
        assertThat(collect(a)).containsExactly(0, 1);
        assertThat(collect(b)).containsExactly(0, 1);
        sites.deliverAll();
        tickAll();
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(collect(s)).as(s.name).containsExactly(1, 0);
        }
        // a peer's later write to the key brings only what everyone has: the same everywhere again
        b.cmd("SET", "late", "again");
        sites.deliverAll();
        for (Site s : sites.sites) {
            assertThat(s.jedis.get("late")).as(s.name).isEqualTo("again");
        }
    }

    @Test
    void theStateLivesInTheReservedDatabaseOnly() {
        a.cmd("SET", "k", "v");
        a.cmd("INCR", "n");
        a.cmd("DEL", "k");
        assertThat(a.jedis.dbSize()).isEqualTo(1L);
        assertThat(a.jedis.keys("*")).containsExactly("n");
        assertThat(a.state("k")).contains("d=\"true\"");
    }

    /**
     * Random histories of string, counter and expiry writes at three instances with skewed clocks, op records
     * delivered in random amounts between writes (each origin's in order, as a channel does), some delivered again
     * with the duplicate check off (a join must not change a state that already includes it). At the end every
     * instance has the same state, type, value and expiry for every key.
     */
    @Test
    void randomHistoriesDeliveredInRandomOrdersWithRepeatsConverge() {
        long seed = Long.getLong("crdt.seed", System.nanoTime());
        int trials = Integer.getInteger("crdt.trials", 25);
        for (int t = 0; t < trials; t++) {
            reset();
            Random rnd = new Random(seed + t);
            String label = "seed " + (seed + t) + " (-Dcrdt.seed=" + (seed + t) + " -Dcrdt.trials=1)";
            for (Site s : sites.sites) {
                s.skewMs = rnd.nextInt(201) - 100;
            }
            for (int step = 0; step < 150; step++) {
                int r = rnd.nextInt(10);
                if (r < 7) {
                    Site s = sites.site(rnd.nextInt(3));
                    s.cmd(randomCommand(rnd));
                } else {
                    Site to = sites.site(rnd.nextInt(3));
                    Site from = sites.site(rnd.nextInt(3));
                    if (from != to) {
                        from.drain();
                        sites.deliver(from, to, 1 + rnd.nextInt(4));
                        int done = to.deliveredFrom.getOrDefault(from.name, 0);
                        if (done > 0 && rnd.nextInt(4) == 0) {
                            to.merge(from.published.get(rnd.nextInt(done)), false);
                        }
                    }
                }
            }
            sites.deliverAll();
            assertConverged(label);
        }
    }

    /**
     * The join itself, rule by rule and all types at once: the op records of three random histories (made without
     * delivering anything) are applied to three emptied instances, each in a different order, grouped differently, and
     * with repeats, the duplicate check off. Equal states everywhere: the join is commutative, associative and
     * idempotent (the other tests deliver each origin's records in order, as channels do).
     */
    @Test
    void theJoinIsCommutativeAssociativeAndIdempotent() {
        long seed = Long.getLong("crdt.seed", System.nanoTime());
        for (int t = 0; t < 10; t++) {
            reset();
            Random rnd = new Random(seed + t);
            for (int step = 0; step < 120; step++) {
                sites.site(rnd.nextInt(3)).cmd(randomCommand(rnd));
            }
            sites.drainAll();
            List<byte[]> records = new ArrayList<>();
            sites.sites.forEach(s -> records.addAll(s.published));
            for (Site s : sites.sites) {
                s.jedis.flushAll();
            }
            // a: as made; b: reversed; c: shuffled, every record twice, the second pass in another order
            records.forEach(r -> a.merge(r, false));
            for (int i = records.size() - 1; i >= 0; i--) {
                b.merge(records.get(i), false);
            }
            List<byte[]> shuffled = new ArrayList<>(records);
            java.util.Collections.shuffle(shuffled, rnd);
            shuffled.forEach(r -> c.merge(r, false));
            java.util.Collections.shuffle(shuffled, rnd);
            shuffled.forEach(r -> c.merge(r, false));
            assertConverged("join, seed " + (seed + t) + " (-Dcrdt.seed=" + (seed + t) + ")");
        }
    }

    private void assertConverged(String label) {
        // keys whose expiry is near are compared once it has passed
        long latest = 0;
        for (Site s : sites.sites) {
            for (String k : KEYS) {
                long at = s.jedis.pexpireTime(k);
                if (at > 0 && at < System.currentTimeMillis() + 10_000) {
                    latest = Math.max(latest, at);
                }
            }
        }
        long until = latest;
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > until + 5);
        Map<String, Object> first = null;
        for (Site s : sites.sites) {
            Map<String, Object> seen = new LinkedHashMap<>();
            for (String k : KEYS) {
                seen.put(k + " state", s.state(k));
                String type = s.jedis.type(k);
                seen.put(k + " type", type);
                seen.put(k + " value", switch (type) {
                    case "string" -> s.jedis.get(k);
                    case "hash" -> new java.util.TreeMap<>(s.jedis.hgetAll(k));
                    case "set" -> new java.util.TreeSet<>(s.jedis.smembers(k));
                    case "zset" -> s.jedis.zrangeWithScores(k, 0, -1).toString();
                    default -> null;
                });
                seen.put(k + " expires", s.jedis.pexpireTime(k));
            }
            seen.put("dbsize", s.jedis.dbSize());
            if (first == null) {
                first = seen;
            } else {
                assertThat(seen).as(label + ": " + s.name + " against " + sites.site(0).name).isEqualTo(first);
            }
        }
    }

    public static final List<String> KEYS = IntStream.range(0, 5).mapToObj(i -> "k" + i).toList();

    /** A random write; keys are shared by every type, so keys change type while other instances write them. */
    public static String[] randomCommand(Random rnd) {
        String k = KEYS.get(rnd.nextInt(KEYS.size()));
        String k2 = KEYS.get(rnd.nextInt(KEYS.size()));
        String v = rnd.nextInt(3) == 0 ? Integer.toString(rnd.nextInt(100) - 20) : "v" + rnd.nextInt(1000);
        List<String> c = new ArrayList<>();
        String f = "f" + rnd.nextInt(3);
        switch (rnd.nextInt(32)) {
            case 0, 1 -> {
                c.addAll(List.of("SET", k, v));
                switch (rnd.nextInt(8)) {
                    case 0 -> c.add("NX");
                    case 1 -> c.add("XX");
                    case 2 -> c.addAll(List.of("EX", Integer.toString(1000 + rnd.nextInt(1000))));
                    case 3 -> c.addAll(List.of("PX", Integer.toString(50 + rnd.nextInt(300))));
                    case 4 -> c.add("KEEPTTL");
                    case 5 -> c.add("GET");
                    default -> { }
                }
            }
            case 2 -> c.addAll(List.of("SETNX", k, v));
            case 3 -> c.addAll(List.of("PSETEX", k, Integer.toString(50 + rnd.nextInt(300)), v));
            case 4 -> c.addAll(List.of("GETSET", k, v));
            case 5 -> c.addAll(List.of("GETDEL", k));
            case 6 -> c.addAll(List.of("MSET", k, v, k2, "m" + rnd.nextInt(10)));
            case 7 -> c.addAll(List.of("APPEND", k, "+" + rnd.nextInt(10)));
            case 8 -> c.addAll(List.of("SETRANGE", k, Integer.toString(rnd.nextInt(4)), "r" + rnd.nextInt(10)));
            case 9, 10 -> c.addAll(List.of("INCR", k));
            case 11 -> c.addAll(List.of("INCRBY", k, Integer.toString(rnd.nextInt(21) - 10)));
            case 12 -> c.addAll(List.of("DECRBY", k, Integer.toString(rnd.nextInt(10))));
            case 13 -> c.addAll(List.of("INCRBYFLOAT", k, rnd.nextBoolean() ? "0.25" : "-1.5"));
            case 14 -> c.addAll(List.of("DEL", k, k2));
            case 15 -> c.addAll(List.of("EXPIRE", k, Integer.toString(1000 + rnd.nextInt(1000))));
            case 16 -> c.addAll(List.of("PEXPIRE", k, Integer.toString(50 + rnd.nextInt(300))));
            case 17 -> c.addAll(List.of("PERSIST", k));
            case 19, 25 -> c.addAll(List.of("HSET", k, f, v, "f" + rnd.nextInt(3), "w"));
            case 20 -> c.addAll(List.of("HDEL", k, f));
            case 21 -> c.addAll(List.of("HINCRBY", k, f, Integer.toString(rnd.nextInt(9) - 3)));
            case 22 -> c.addAll(List.of("HSETNX", k, f, v));
            case 23, 26 -> c.addAll(List.of("SADD", k, "m" + rnd.nextInt(4), "m" + rnd.nextInt(4)));
            case 24 -> c.addAll(List.of("SREM", k, "m" + rnd.nextInt(4)));
            case 27, 28 -> c.addAll(List.of("ZADD", k, Integer.toString(rnd.nextInt(10)), "z" + rnd.nextInt(4)));
            case 29 -> c.addAll(List.of("ZINCRBY", k, rnd.nextBoolean() ? "1" : "-2.5", "z" + rnd.nextInt(4)));
            case 30 -> c.addAll(List.of("ZREM", k, "z" + rnd.nextInt(4)));
            case 31 -> c.addAll(List.of("ZPOPMIN", k));
            default -> c.addAll(List.of("GETEX", k, rnd.nextBoolean() ? "PERSIST" : "EX", "1500"));
        }
        if ("GETEX".equals(c.get(0)) && "PERSIST".equals(c.get(2))) {
            c.remove(3);
        }
        return c.toArray(String[]::new);
    }
}
