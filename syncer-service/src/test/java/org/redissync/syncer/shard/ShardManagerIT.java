package org.redissync.syncer.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.BdbDeleted;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.RedisAddress;
import org.redissync.events.SubjectValidation;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.TlsMode;
import org.redissync.events.Topic;
import org.redissync.events.kafka.TopicView;
import org.redissync.testing.FreePorts;
import org.redissync.syncer.channel.BackendConnection;
import org.redissync.syncer.endpoint.EndpointPkiResource;
import org.redissync.syncer.events.SyncerEvents;

/**
 * Each bdb's own redis-server, with real processes and a real broker: made when the bdb appears, wiped when it goes,
 * sized and guarded as the bdb says, restarted when it dies, and reachable only with the syncer-service's credentials.
 * Clients reach it through the bdb's endpoint (plaintext here; the data path is the same under TLS).
 */
@QuarkusTest
@WithTestResource(value = EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class ShardManagerIT {

    private static final AtomicLong UIDS = new AtomicLong(System.nanoTime() % 1_000_000 * 1000 + 700);

    @Inject
    SyncerEvents events;

    @Inject
    ShardManager shards;

    @Inject
    org.redissync.syncer.config.SyncerConfig config;

    @Test
    void createWriteDeleteCreateGivesAnEmptyDatabase() throws Exception {
        int port = FreePorts.next();
        BdbConfigured first = publish(bdb(UIDS.incrementAndGet(), 1, port, 32 << 20, null, null));
        awaitRunning(first);
        try (Client c = new Client(port)) {
            assertThat(c.call("SET", "left:behind", "secret")).isEqualTo("+OK");
            assertThat(c.call("DBSIZE")).isEqualTo(":1");
        }
        Path dir = shards.directory(first.uid());
        long pid = shards.pid(first.uid()).orElseThrow();
        publish(new BdbDeleted(BdbDeleted.VERSION, first.uid(), 2, events.cluster(), Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(dir) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        assertThat(state(first.uid())).isEqualTo(ShardState.DELETED);

        BdbConfigured second = publish(bdb(UIDS.incrementAndGet(), 1, port, 32 << 20, null, null));
        awaitRunning(second);
        try (Client c = new Client(port)) {
            assertThat(c.call("GET", "left:behind")).isEqualTo("$-1");
            assertThat(c.call("DBSIZE")).isEqualTo(":0");
        }
    }

    @Test
    void memorySizeIsEnforcedWithTheEvictionPolicyAndChangesApplyLive() throws Exception {
        int port = FreePorts.next();
        long uid = UIDS.incrementAndGet();
        BdbConfigured b = publish(bdb(uid, 1, port, 4 << 20, "noeviction", null));
        awaitRunning(b);
        String value = "v".repeat(10_000);
        try (Client c = new Client(port)) {
            String reply = "";
            for (int i = 0; i < 2000 && !reply.startsWith("-"); i++) {
                reply = c.call("SET", "k" + i, value);
            }
            assertThat(reply).startsWith("-OOM command not allowed when used memory > 'maxmemory'");
            c.call("FLUSHALL");
        }
        BdbConfigured evicting = publish(bdb(uid, 2, port, 4 << 20, "volatile-lru", null));
        awaitRunning(evicting);
        try (Client c = new Client(port)) {
            for (int i = 0; i < 2000; i++) {
                assertThat(c.call("SET", "k" + i, value, "EX", "3600")).as("SET %d under volatile-lru", i).isEqualTo("+OK");
            }
            long kept = Long.parseLong(c.call("DBSIZE").substring(1));
            assertThat(kept).as("keys kept of 2000 of 10 kB in 4 MB").isLessThan(2000).isGreaterThan(50);
        }
        try (BackendConnection admin = BackendConnection.admin(shards.backend(evicting), 2000)) {
            @SuppressWarnings("unchecked")
            List<Object> policy = (List<Object>) admin.call("CONFIG", "GET", "maxmemory-policy");
            assertThat(new String((byte[]) policy.get(1))).isEqualTo("volatile-lru");
        }
        assertThat(Files.readString(shards.directory(uid).resolve("redis.conf"))).contains("maxmemory-policy volatile-lru")
                .contains("maxmemory 4194304");
    }

    @Test
    void aKilledOrShutDownRedisIsBackWithinSecondsWithItsAppendOnlyData() throws Exception {
        int port = FreePorts.next();
        BdbConfigured b = publish(bdb(UIDS.incrementAndGet(), 1, port, 32 << 20, null, "aof"));
        awaitRunning(b);
        try (Client c = new Client(port)) {
            assertThat(c.call("SET", "durable", "yes")).isEqualTo("+OK");
        }
        long pid = shards.pid(b.uid()).orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9
        long second = awaitRestart(b, pid);
        try (Client c = new Client(port)) {
            assertThat(c.call("GET", "durable")).isEqualTo("$3\r\nyes");
            assertThat(c.call("SET", "durable", "still")).isEqualTo("+OK");
        }
        try (BackendConnection admin = BackendConnection.admin(shards.backend(b), 2000)) {
            admin.write("SHUTDOWN", "NOSAVE");
            admin.flush();
        }
        awaitRestart(b, second);
        try (Client c = new Client(port)) {
            assertThat(c.call("GET", "durable")).isEqualTo("$5\r\nstill");
        }
        ShardStatus s = (ShardStatus) status().get(events.cluster() + "/shard/" + b.uid()).orElseThrow();
        assertThat(s.restarts()).isEqualTo(2);
    }

    @Test
    void aCrdbInstancesKeysWrittenBeforeConvergenceAreAdoptedWhenItsRedisStarts() throws Exception {
        int port = FreePorts.next();
        long uid = UIDS.incrementAndGet();
        String guid = "g-" + uid;
        BdbConfigured b = crdbInstance(uid, port, guid, "aof");
        publish(crdb(guid, uid, 1, org.redissync.events.CrdbConfigEvent.Membership.ACTIVE));
        publish(b);
        awaitRunning(b);
        // data as an instance that ran without convergence holds it: written past the library, no state
        try (BackendConnection admin = BackendConnection.admin(shards.backend(b), 2000)) {
            assertThat(admin.call("SET", "n", "5")).isNotInstanceOf(BackendConnection.Error.class);
            assertThat(admin.call("HSET", "h", "a", "1")).isEqualTo(1L);
        }
        long pid = shards.pid(b.uid()).orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitRestart(b, pid);
        try (Client c = new Client(port)) {
            assertThat(c.call("INCR", "n")).as("from what it held, not from nothing").isEqualTo(":6");
            assertThat(c.call("HSET", "h", "b", "2")).isEqualTo(":1");
            assertThat(c.call("HLEN", "h")).isEqualTo(":2");
        }
        try (BackendConnection admin = BackendConnection.admin(shards.backend(b), 2000)) {
            admin.call("SELECT", "15");
            assertThat(admin.call("EXISTS", "__redissync:m:0:n", "__redissync:m:0:h")).as("their states").isEqualTo(2L);
        }
    }

    @Test
    void nobodyReachesTheRedisWithoutTheSyncersCredentialsAndClientsRunAsARestrictedUser() throws Exception {
        int port = FreePorts.next();
        BdbConfigured b = publish(bdb(UIDS.incrementAndGet(), 1, port, 32 << 20, null, null));
        awaitRunning(b);
        Backend backend = shards.backend(b);
        RedisAddress address = backend.address();
        assertThat(address.isUnix()).as("a Unix socket (native transport here)").isTrue();
        Path dir = shards.directory(b.uid());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(address.socketPath())))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent().resolve("secret")))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("redis.conf"))).doesNotContain(backend.adminPassword()).doesNotContain(backend.clientPassword());

        try (BackendConnection anyone = new BackendConnection(address, 2000)) {
            assertThat(anyone.call("PING").toString()).contains("NOAUTH");
            assertThat(anyone.call("GET", "k").toString()).contains("NOAUTH");
            assertThat(anyone.call("AUTH", "guess").toString()).contains("WRONGPASS");
            assertThat(anyone.call("AUTH", Backend.ADMIN_USER, "guess").toString()).contains("WRONGPASS");
            assertThat(anyone.call("HELLO", "3", "AUTH", "default", "").toString()).contains("WRONGPASS");
        }
        // The client user backs the endpoint's policy up: what the endpoint refuses, Redis refuses it too.
        try (BackendConnection client = new BackendConnection(address, 2000)) {
            assertThat(client.call("AUTH", backend.clientPassword())).isEqualTo("OK");
            for (String[] denied : List.of(new String[] {"SHUTDOWN", "NOSAVE"}, new String[] {"CONFIG", "REWRITE"},
                    new String[] {"REPLICAOF", "127.0.0.1", "1"}, new String[] {"ACL", "SETUSER", "x", "on"},
                    new String[] {"CLIENT", "KILL", "TYPE", "normal"}, new String[] {"SAVE"}, new String[] {"FAILOVER"}, new String[] {"SWAPDB", "0", "1"},
                    new String[] {"MODULE", "LIST"}, new String[] {"BGSAVE"})) {
                assertThat(client.call(denied).toString()).as(String.join(" ", denied)).contains("NOPERM");
            }
            assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
            assertThat(new String((byte[]) client.call("ACL", "WHOAMI"))).isEqualTo("default");
        }
        try (Client c = new Client(port)) {
            assertThat(c.call("ACL", "WHOAMI")).isEqualTo("$7\r\ndefault");
            // RESET logs a connection out; the endpoint logs it in again, and the client sees RESET's reply only.
            assertThat(c.call("RESET")).isEqualTo("+RESET");
            assertThat(c.call("GET", "k")).isEqualTo("$1\r\nv");
            assertThat(c.call("MULTI")).isEqualTo("+OK");
            assertThat(c.call("RESET")).isEqualTo("+RESET");
            assertThat(c.call("PING")).isEqualTo("+PONG");
        }
    }

    @Test
    void aReplicaThroughTheEndpointCanReplicateAndNothingElse() throws Exception {
        int port = FreePorts.next();
        BdbConfigured b = publish(bdb(UIDS.incrementAndGet(), 1, port, 32 << 20, null, null)); // tls_mode disabled: anyone replicates
        awaitRunning(b);
        try (Client c = new Client(port)) {
            assertThat(c.call("SET", "before", "1")).isEqualTo("+OK");
            assertThat(c.call("REPLCONF", "capa", "psync2")).isEqualTo("+OK");
            assertThat(c.call("PSYNC", "?", "-1")).startsWith("+FULLRESYNC");
            try (BackendConnection admin = BackendConnection.admin(shards.backend(b), 2000)) {
                // from here its bytes pass unparsed, as the replication-only user
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(new String((byte[]) admin.call("CLIENT", "LIST"),
                        java.nio.charset.StandardCharsets.UTF_8)).contains("user=" + org.redissync.syncer.shard.Backend.REPLICA_USER));
                // so Redis refuses anything else it sends, and drops a replica that earns an error
                c.send("SELECT", "15");
                c.send("SET", "__redissync:pos:forged", "v1 x 0 0 0 0");
                c.send("SELECT", "0");
                c.send("SET", "injected", "1");
                c.send("FLUSHALL");
                assertThat(c.drainUntilClosed(Duration.ofSeconds(10))).as("the replica's connection is closed").isTrue();
                assertThat(admin.call("EXISTS", "injected")).isEqualTo(0L);
                assertThat(admin.call("EXISTS", "before")).isEqualTo(1L);
                admin.call("SELECT", "15");
                assertThat(admin.call("EXISTS", "__redissync:pos:forged")).isEqualTo(0L);
            }
        }
    }

    @Test
    void anInstanceJoiningOrLeavingItsCrdbRefusesItsClientsWritesAndSaysWhereItsStreamStood() throws Exception {
        int port = FreePorts.next();
        long uid = UIDS.incrementAndGet();
        String guid = "g-" + uid;
        BdbConfigured b = crdbInstance(uid, port, guid, null);
        publish(crdb(guid, uid, 3, org.redissync.events.CrdbConfigEvent.Membership.JOINING));
        publish(b);
        awaitRunning(b);
        await().atMost(Duration.ofSeconds(20)).until(() -> paused(uid) != null && paused(uid).crdbGeneration() == 3);
        try (Client c = new Client(port)) {
            assertThat(c.call("SET", "k", "v")).startsWith("-NOPERM").contains("no permissions");
            // a write of a convergent instance (the default) is checked against the client's permissions as it was sent
            assertThat(c.call("HSET", "h", "f", "v")).isEqualTo("-NOPERM this user has no permissions to run the 'hset' command");
            // a script: refused on a convergent instance; on a plain one its writes are refused by the ACL inside it
            assertThat(c.call("EVAL", "return redis.call('SET', KEYS[1], 'v')", "1", "k")).startsWith("-");
            assertThat(c.call("GET", "k")).isEqualTo("$-1");
        }
        publish(crdb(guid, uid, 4, org.redissync.events.CrdbConfigEvent.Membership.ACTIVE));
        await().atMost(Duration.ofSeconds(20)).until(() -> status().get(events.cluster() + "/shard/" + uid)
                .map(s -> ((ShardStatus) s).writesPaused() == null).orElse(false));
        long offset;
        try (Client c = new Client(port)) {
            assertThat(c.call("SET", "k", "v")).isEqualTo("+OK");
            // leaving: writes refused again, connections closed, and the stream's position said
            publish(crdb(guid, uid, 5, org.redissync.events.CrdbConfigEvent.Membership.LEAVING));
            await().atMost(Duration.ofSeconds(20)).until(() -> paused(uid) != null && paused(uid).crdbGeneration() == 5);
        }
        try (Client c = new Client(port); BackendConnection admin = BackendConnection.admin(shards.backend(b), 2000)) {
            assertThat(c.call("DEL", "k")).startsWith("-NOPERM");
            assertThat(c.call("GET", "k")).isEqualTo("$1\r\nv"); // reads go on until it is removed
            String info = new String((byte[]) admin.call("INFO", "replication"), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(info).contains("master_replid:" + paused(uid).at().replId());
            assertThat(info).contains("master_repl_offset:" + paused(uid).at().offset());
        }
    }

    private org.redissync.events.CrdbConfigEvent.CrdbConfigured crdb(String guid, long uid, long generation,
            org.redissync.events.CrdbConfigEvent.Membership m) {
        return new org.redissync.events.CrdbConfigEvent.CrdbConfigured(1, guid, generation, "db" + uid, false, false, java.util.Map.of(),
                List.of(new org.redissync.events.CrdbConfigEvent.Instance(1, events.cluster(), uid, "127.0.0.1:1", null, 3, m),
                        new org.redissync.events.CrdbConfigEvent.Instance(2, "elsewhere", uid + 1_000_000, "127.0.0.1:2", null, 3)),
                0, Instant.now());
    }

    private SyncerStatusEvent.WritesPaused paused(long uid) {
        return status().get(events.cluster() + "/shard/" + uid).map(s -> ((ShardStatus) s).writesPaused()).orElse(null);
    }

    // ------------------------------------------------------------------------------------------------

    /** Bdb {@code uid} as this cluster's instance of CRDB {@code guid} (32 MB, plaintext). */
    private BdbConfigured crdbInstance(long uid, int port, String guid, String persistence) {
        return new BdbConfigured(BdbConfigured.VERSION, uid, 1, "db" + uid, events.cluster(), port, null, 32 << 20, guid,
                new Tls(TlsMode.DISABLED, false, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false, false), List.of(),
                "disabled", Instant.now(), 0, null, persistence);
    }

    private BdbConfigured bdb(long uid, long generation, int port, long memory, String eviction, String persistence) {
        return new BdbConfigured(BdbConfigured.VERSION, uid, generation, "db" + uid, events.cluster(), port, null, memory, null,
                new Tls(TlsMode.DISABLED, false, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false, false), List.of(),
                "disabled", Instant.now(), 0, eviction, persistence);
    }

    private <T extends org.redissync.events.SuiteEvent> T publish(T e) throws Exception {
        events.streams().publisher().publish(e).get(10, TimeUnit.SECONDS);
        return e;
    }

    private TopicView<SyncerStatusEvent> statusView;

    private synchronized TopicView<SyncerStatusEvent> status() {
        if (statusView == null) {
            statusView = new TopicView<SyncerStatusEvent>(config.kafka().settings("shard-test"), Topic.SYNCER_STATUS).start();
        }
        return statusView;
    }

    private ShardState state(long uid) {
        return status().get(events.cluster() + "/shard/" + uid).map(s -> ((ShardStatus) s).state()).orElse(null);
    }

    private void awaitRunning(BdbConfigured b) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status().get(events.cluster() + "/shard/" + b.uid())
                .map(s -> s instanceof ShardStatus h && h.state() == ShardState.RUNNING && h.observedGeneration() >= b.generation())
                .orElse(false));
        await().atMost(Duration.ofSeconds(20)).until(() -> status().get(events.cluster() + "/endpoint/" + b.uid())
                .map(s -> s.observedGeneration() >= b.generation()).orElse(false));
    }

    /** Waits until bdb {@code b} runs again in a process other than {@code before}; returns its pid. */
    private long awaitRestart(BdbConfigured b, long before) {
        await().atMost(Duration.ofSeconds(10)).until(() -> shards.pid(b.uid()).filter(p -> p != before).isPresent()
                && state(b.uid()) == ShardState.RUNNING);
        return shards.pid(b.uid()).orElseThrow();
    }

    /** A client of the bdb's endpoint: one command, its reply's first line (and a bulk's data). */
    static final class Client implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.BufferedReader in;

        Client(int port) throws IOException {
            socket = new java.net.Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        }

        /** Reads (and drops) whatever comes until the server closes the connection; false if it is still open after {@code within}. */
        boolean drainUntilClosed(Duration within) throws IOException {
            long deadline = System.nanoTime() + within.toNanos();
            char[] buf = new char[8192];
            while (System.nanoTime() < deadline) {
                try {
                    if (in.read(buf) < 0) {
                        return true;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // still open
                } catch (java.net.SocketException e) {
                    return true; // reset
                }
            }
            return false;
        }

        /**
         * Sends without reading a reply (a replica's connection gets none). A connection the server already closed (Redis
         * drops a replica whose command earns an error) takes nothing more: that is not a failure here.
         */
        void send(String... args) throws IOException {
            try {
                socket.getOutputStream().write(org.redissync.syncer.resp.Requests.resp(args).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.net.SocketException closed) {
                // broken pipe / reset: closed by the server
            }
        }

        String call(String... args) throws IOException {
            socket.getOutputStream().write(org.redissync.syncer.resp.Requests.resp(args).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line != null && line.startsWith("$") && !line.equals("$-1")) {
                return line + "\r\n" + in.readLine();
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
