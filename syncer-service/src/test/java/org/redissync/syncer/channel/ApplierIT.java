package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redissync.events.RedisAddress;
import org.redissync.testing.FreePorts;
import org.redissync.testing.RedisServer;
import org.redissync.syncer.channel.StreamItem.Command;
import org.redissync.syncer.resp.RespCommand;

import redis.clients.jedis.Jedis;

/** The applier against a real redis-server (over its Unix socket): what it applies, skips and commits, fed stream items directly. */
class ApplierIT {

    static RedisServer redis;
    BlockingQueue<StreamItem> queue;
    Applier applier;
    Thread thread;
    final List<String> failures = new ArrayList<>();
    long offset;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(Files.createTempDirectory("applier-redis"), FreePorts.next(), false, List.of());
        assertThat(redis.localAddress()).as("the applier writes over the backend's Unix socket").startsWith("unix:/");
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void start() {
        try (Jedis j = jedis()) {
            j.flushAll();
        }
        offset = 100;
        run(true);
    }

    void run(boolean skipApplied) {
        queue = new ArrayBlockingQueue<>(1000);
        applier = new Applier("g/b->a", skipApplied, org.redissync.syncer.shard.Backend.external(RedisAddress.parse(redis.localAddress())), queue, 100, 1_000_000,
                (reason, unrecoverable) -> failures.add((unrecoverable ? "unrecoverable: " : "") + reason), SnapshotLoads.NONE);
        thread = new Thread(applier);
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        applier.stop();
        thread.join(5000);
    }

    Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    void feed(String... argv) throws InterruptedException {
        RespCommand c = RespCommand.of(argv);
        offset += c.length();
        queue.put(new Command(c, "replid-1", offset, System.nanoTime()));
    }

    Position barrier() throws Exception {
        CompletableFuture<Position> done = new CompletableFuture<>();
        queue.put(new StreamItem.Barrier(done));
        return done.get(10, TimeUnit.SECONDS);
    }

    /** A convergent applier in place of the plain one (same queue and backend). */
    void runConvergent() throws Exception {
        applier.stop();
        thread.join(5000);
        queue = new ArrayBlockingQueue<>(1000);
        applier = new Applier("g/b->a", true, true, org.redissync.syncer.shard.Backend.external(RedisAddress.parse(redis.localAddress())),
                queue, 100, 1_000_000, (reason, unrecoverable) -> failures.add((unrecoverable ? "unrecoverable: " : "") + reason),
                SnapshotLoads.NONE);
        thread = new Thread(applier);
        thread.start();
    }

    @Test
    void aConvergentChannelStopsOnAPlainWriteFromItsSourceInsteadOfDroppingIt() throws Exception {
        runConvergent();
        feed("SELECT", "0");
        feed("DEL", "expired-at-the-source"); // the source's own expiry: skipped
        feed("SET", "k", "v");
        await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
        assertThat(failures.get(0)).startsWith("unrecoverable: the source's stream carries a plain SET write")
                .contains("redissync.crdt.convergent must be the same on every syncer-service");
        try (Jedis j = jedis()) {
            assertThat(j.exists("k")).isFalse();
        }
    }

    @Test
    void aPlainChannelStopsOnOpRecordsInsteadOfDroppingThem() throws Exception {
        feed("SPUBLISH", "__redissync:op", "record");
        await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
        assertThat(failures.get(0)).startsWith("unrecoverable: the source's stream carries convergent op records");
    }

    @Test
    void commandsAreAppliedAndThePositionIsCommittedWithThem() throws Exception {
        feed("SELECT", "0");
        feed("SET", "k", "v");
        feed("RPUSH", "l", "1", "2");
        feed("PING");
        Position p = barrier();
        assertThat(p.replId()).isEqualTo("replid-1");
        assertThat(p.offset()).isEqualTo(offset);
        try (Jedis j = jedis()) {
            assertThat(j.get("k")).isEqualTo("v");
            assertThat(j.lrange("l", 0, -1)).containsExactly("1", "2");
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).isEqualTo(p.encode());
        }
        assertThat(applier.appliedCommands()).isEqualTo(2);
    }

    @Test
    void streamBytesSkippedAfterTheLastBatchAreCommittedAtABarrier() throws Exception {
        feed("SET", "k", "v");
        await().atMost(Duration.ofSeconds(10)).until(() -> applier.appliedCommands() == 1); // its batch is committed
        long afterData = offset;
        feed("PING"); // skipped: no batch of its own
        Position p = barrier();
        assertThat(p.offset()).isEqualTo(offset).isGreaterThan(afterData);
        try (Jedis j = jedis()) {
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).isEqualTo(p.encode());
        }
    }

    @Test
    void aTransactionAnotherChannelAppliedIsSkippedButItsBytesCount() throws Exception {
        feed("MULTI");
        feed("SET", "echo", "x");
        feed("PUBLISH", "__redissync:applied", "g/c->b");
        feed("SET", "__redissync:pos:g/c->b", "v1 r 1 0 0 0");
        feed("EXEC");
        feed("MULTI");
        feed("INCR", "local");
        feed("EXEC");
        Position p = barrier();
        assertThat(p.offset()).isEqualTo(offset);
        try (Jedis j = jedis()) {
            assertThat(j.exists("echo")).isFalse();
            assertThat(j.exists("__redissync:pos:g/c->b")).isFalse();
            assertThat(j.get("local")).isEqualTo("1");
        }
    }

    @Test
    void aReplicaOfChannelTakesMarkedDataButNeverTheMarkerOrPositions() throws Exception {
        stop();
        run(false);
        feed("MULTI");
        feed("SET", "upstream", "x");
        feed("PUBLISH", "__redissync:applied", "bdb:1/source:1");
        feed("SET", "__redissync:pos:bdb:1/source:1", "v1 r 1 0 0 0");
        feed("EXEC");
        barrier();
        try (Jedis j = jedis()) {
            assertThat(j.get("upstream")).isEqualTo("x");
            assertThat(j.exists("__redissync:pos:bdb:1/source:1")).isFalse();
        }
    }

    @Test
    void aHalfReceivedTransactionIsDroppedAtTheBarrierAndThePositionStaysBeforeIt() throws Exception {
        feed("SET", "before", "1");
        long committed = offset;
        feed("MULTI");
        feed("SET", "half", "1");
        Position p = barrier();
        assertThat(p.offset()).isEqualTo(committed);
        try (Jedis j = jedis()) {
            assertThat(j.get("before")).isEqualTo("1");
            assertThat(j.exists("half")).isFalse();
        }
    }

    @Test
    void selectedDatabasesAreFollowedAndRemembered() throws Exception {
        feed("SELECT", "2");
        feed("SET", "in-two", "x");
        Position p = barrier();
        assertThat(p.db()).isEqualTo(2);
        // the next connection resumes in db 2 without a SELECT in the stream
        feed("SET", "still-two", "y");
        barrier();
        try (Jedis j = jedis()) {
            j.select(2);
            assertThat(j.get("in-two")).isEqualTo("x");
            assertThat(j.get("still-two")).isEqualTo("y");
            j.select(0);
            assertThat(j.exists("in-two")).isFalse();
        }
    }

    @Test
    void aFullSyncRestoresDumpPayloadsAndCommitsTheStreamStartOnlyAtTheEnd() throws Exception {
        byte[] dump;
        try (Jedis j = jedis()) {
            j.rpush("template", "a", "b");
            dump = j.dump("template");
            j.del("template");
        }
        queue.put(new StreamItem.RdbBegin(true));
        queue.put(new StreamItem.RdbKey(0, "restored".getBytes(), dump, 0, System.nanoTime()));
        queue.put(new StreamItem.RdbKey(0, "__redissync:pos:other".getBytes(), dump, 0, System.nanoTime()));
        queue.put(new StreamItem.RdbEnd("replid-2", 5000));
        Position p = barrier();
        assertThat(p.replId()).isEqualTo("replid-2");
        assertThat(p.offset()).isEqualTo(5000);
        assertThat(p.fullResyncs()).isEqualTo(1);
        try (Jedis j = jedis()) {
            assertThat(j.lrange("restored", 0, -1)).containsExactly("a", "b");
            assertThat(j.exists("__redissync:pos:other")).isFalse();
        }
    }

    @Test
    void aJoiningInstancesSnapshotIsNotLoadedButItsEndIsWhereTheStreamGoesOn() throws Exception {
        byte[] dump;
        try (Jedis j = jedis()) {
            j.rpush("template", "a", "b");
            dump = j.dump("template");
            j.del("template");
            j.rpush("mine", "1");
        }
        queue.put(new StreamItem.RdbBegin(false));
        queue.put(new StreamItem.RdbKey(0, "from-peers".getBytes(), dump, 0, System.nanoTime()));
        queue.put(new StreamItem.RdbKey(0, "mine".getBytes(), dump, 0, System.nanoTime()));
        queue.put(new StreamItem.RdbEnd("replid-3", 7000));
        Position p = barrier();
        assertThat(p.replId()).isEqualTo("replid-3");
        assertThat(p.offset()).isEqualTo(7000);
        assertThat(p.fullResyncs()).isEqualTo(1);
        assertThat(applier.appliedTo()).isEqualTo(new org.redissync.events.SyncerStatusEvent.StreamPosition("replid-3", 7000));
        try (Jedis j = jedis()) {
            assertThat(j.exists("from-peers")).isFalse();
            assertThat(j.lrange("mine", 0, -1)).as("local data untouched").containsExactly("1");
        }
    }

    @Test
    void appliedToFollowsWhatIsAppliedAndWhatIsSkipped() throws Exception {
        feed("SET", "k", "v");
        await().atMost(Duration.ofSeconds(10)).until(() -> applier.appliedTo() != null && applier.appliedTo().offset() == offset);
        feed("PING"); // nothing to apply: applied to its end at once
        long afterPing = offset;
        await().atMost(Duration.ofSeconds(10)).until(() -> applier.appliedTo().offset() == afterPing);
        feed("MULTI");
        feed("PUBLISH", Applier.MARKER_CHANNEL, "g/c->b");
        feed("SET", "echo", "1");
        feed("EXEC"); // another channel's write at the source: skipped, and past it
        await().atMost(Duration.ofSeconds(10)).until(() -> applier.appliedTo().offset() == offset);
        try (Jedis j = jedis()) {
            assertThat(j.exists("echo")).isFalse();
        }
    }

    @Test
    void aBatchTheBackendRefusesStopsTheChannelAndCommitsNothing() throws Exception {
        feed("SET", "ok", "1");
        Position before = barrier();
        // one source transaction: necessarily one batch
        feed("MULTI");
        feed("SET", "lost", "1");
        feed("NOSUCHCOMMAND", "x");
        feed("EXEC");
        await().atMost(Duration.ofSeconds(5)).until(() -> !failures.isEmpty());
        assertThat(failures.get(0)).startsWith("unrecoverable: the local backend refused a batch");
        Position after = barrier();
        assertThat(after).isEqualTo(before);
        try (Jedis j = jedis()) {
            assertThat(j.exists("lost")).isFalse();
        }
    }

    @Test
    void aRuntimeErrorOfOneCommandKeepsTheRestAndThePosition() throws Exception {
        feed("SET", "str", "x");
        feed("LPUSH", "str", "wrongtype");
        feed("SET", "after", "1");
        Position p = barrier();
        assertThat(p.offset()).isEqualTo(offset);
        assertThat(applier.applyErrors()).isEqualTo(1);
        assertThat(applier.lastApplyError()).startsWith("WRONGTYPE");
        try (Jedis j = jedis()) {
            assertThat(j.get("after")).isEqualTo("1");
        }
    }


    @Test
    void positionsLiveInTheReservedDatabaseWhereAClientsKeysScanAndDbsizeNeverSeeThem() throws Exception {
        feed("SET", "k", "v");
        Position p = barrier();
        try (Jedis j = jedis()) {
            assertThat(j.keys("*")).containsExactly("k");
            assertThat(j.dbSize()).isEqualTo(1);
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).isEqualTo(p.encode());
        }
    }

    @Test
    void aClientsFlushdbNeverReachesThePosition() throws Exception {
        feed("SET", "k", "v");
        Position before = barrier();
        try (Jedis j = jedis()) {
            j.flushDB();
            assertThat(j.exists("k")).isFalse();
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).isEqualTo(before.encode());
        }
        assertThat(barrier()).isEqualTo(before);
    }

    @Test
    void aClientsFlushallDoesNotCostTheChannelItsPosition() throws Exception {
        feed("SET", "k", "v");
        Position before = barrier();
        try (Jedis j = jedis()) {
            j.flushAll();
        }
        Position after = barrier();
        assertThat(after).as("resumed where it was, not from scratch").isEqualTo(before);
        try (Jedis j = jedis()) {
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).as("written back").isEqualTo(before.encode());
        }
    }

    @Test
    void aPositionInDatabaseZeroFromBeforeTheReservedDatabaseIsTakenAndMoved() throws Exception {
        stop();
        Position old = new Position("replid-1", 0, 0, 2, 3);
        try (Jedis j = jedis()) {
            j.set(Position.key("g/b->a"), old.encode());
        }
        run(true);
        assertThat(barrier()).isEqualTo(old);
        feed("SET", "k", "v");
        Position next = barrier();
        assertThat(next.fullResyncs()).isEqualTo(2);
        try (Jedis j = jedis()) {
            assertThat(j.exists(Position.key("g/b->a"))).as("gone from database 0").isFalse();
            j.select(Position.RESERVED_DB);
            assertThat(j.get(Position.key("g/b->a"))).isEqualTo(next.encode());
        }
    }
}
