package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;
import org.redissync.testing.FreePorts;
import org.redissync.testing.RedisServer;
import org.redissync.testing.SharedKafka;
import org.redissync.syncer.TestPki;
import org.redissync.syncer.resp.Requests;
import org.redissync.syncer.events.SyncerEvents;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Real clients (redis-cli, Jedis, JSSE sockets, openssl) against real endpoints in front of a real redis-server. */
@QuarkusTest
@WithTestResource(value = EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class EndpointIT {

    static RedisServer backend;
    static final AtomicLong UIDS = new AtomicLong(System.nanoTime() % 1_000_000 * 1000);

    @Inject
    SyncerEvents events;

    @Inject
    EndpointManager manager;

    @Inject
    EndpointMetrics metrics;

    @BeforeAll
    static void backend() throws Exception {
        backend = RedisServer.start(SharedKafka.workDir().resolve("endpoint-backend-" + System.nanoTime()), 0, false, List.of());
        assertThat(backend.localAddress()).as("bdbs reach this backend over its Unix socket unless a test says tcp").startsWith("unix:/");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    record Bdb(long uid, int port, long generation) {
    }

    Bdb publish(long uid, int port, long generation, Tls tls) throws Exception {
        return publish(uid, port, generation, tls, backend.localAddress());
    }

    Bdb publish(long uid, int port, long generation, Tls tls, String backendAddress) throws Exception {
        events.streams().publisher().publish(new BdbConfigured(BdbConfigured.VERSION, uid, generation, "db" + uid, events.cluster(), port,
                backendAddress, 1 << 20, null, tls, List.of(), "disabled", Instant.now())).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.endpoint(uid) != null
                && manager.endpoint(uid).settings().generation() == generation);
        return new Bdb(uid, port, generation);
    }

    Bdb newBdb(Tls tls) throws Exception {
        return publish(UIDS.incrementAndGet(), FreePorts.next(), 1, tls);
    }

    /** A bdb whose backend is reached over TCP ({@code tcp}) or the backend's Unix socket ({@code unix}). */
    Bdb newBdb(Tls tls, String hop) throws Exception {
        return publish(UIDS.incrementAndGet(), FreePorts.next(), 1, tls, hop.equals("tcp") ? backend.address() : backend.localAddress());
    }

    static Tls tls(TlsMode mode, boolean enforce, List<String> clientCerts, List<String> crdt, SubjectValidation v,
            List<AuthorizedSubject> subjects, boolean outdated, boolean weak) {
        return new Tls(mode, enforce, clientCerts, crdt, v, subjects, outdated, weak);
    }

    static Tls mode(TlsMode mode) {
        return tls(mode, false, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false, false);
    }

    static String redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.trim();
    }

    static Path pki(String file) {
        return EndpointPkiResource.dir.resolve(file);
    }

    // ---------------------------------------------------------------------------------- the seed

    @ParameterizedTest(name = "backend over {0}")
    @ValueSource(strings = {"tcp", "unix"})
    void plaintextWhenTlsIsDisabledWithPipelining(String hop) throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED), hop);
        assertThat(redisCli("-p", "" + b.port(), "PING")).isEqualTo("PONG");
        assertThat(redisCli("-p", "" + b.port(), "SET", "k" + b.uid(), "v")).isEqualTo("OK");
        try (Socket s = new Socket("127.0.0.1", b.port())) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                pipeline.append("INCR pipe").append(b.uid()).append("\r\n");
            }
            s.getOutputStream().write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String last = null;
            for (int i = 0; i < 100; i++) {
                last = in.readLine();
            }
            assertThat(last).isEqualTo(":100");
        }
    }

    @Test
    void theSeedsRedisCliTlsCommandWorksAfterTlsModeEnabledAndPlaintextIsRefused() throws Exception {
        Bdb b = newBdb(mode(TlsMode.ENABLED));
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + b.port(), "--tls", "--cacert", pki("proxy_cert.pem").toString(), "PING"))
                .isEqualTo("PONG");
        double before = metrics.refusals(b.uid(), Refusal.PLAINTEXT_REFUSED);
        assertThat(redisCli("-p", "" + b.port(), "PING")).contains("TLS");
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.refusals(b.uid(), Refusal.PLAINTEXT_REFUSED) == before + 1);
    }

    @Test
    void aDeletedBdbsEndpointClosesItsOpenConnectionsAndItsPort() throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED));
        try (Socket s = new Socket("127.0.0.1", b.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("+PONG");
            events.streams().publisher().publish(new org.redissync.events.BdbConfigEvent.BdbDeleted(
                    org.redissync.events.BdbConfigEvent.BdbDeleted.VERSION, b.uid(), 2, events.cluster(), Instant.now())).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.endpoint(b.uid()) == null);
            assertThat(in.read()).as("the open connection is closed").isEqualTo(-1);
        }
        assertThat(FreePorts.inUse(b.port())).as("the port is free").isFalse();
    }

    @Test
    void anEndpointWhosePortIsTakenListensOnceItIsFreedWithoutAnotherChange() throws Exception {
        long uid = UIDS.incrementAndGet();
        int port = FreePorts.next();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.setReuseAddress(false);
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            events.streams().publisher().publish(new BdbConfigured(BdbConfigured.VERSION, uid, 1, "db" + uid, events.cluster(), port,
                    backend.localAddress(), 1 << 20, null, mode(TlsMode.DISABLED), List.of(), "disabled", Instant.now()))
                    .get(10, TimeUnit.SECONDS);
            // (its failures are retried meanwhile, from 250 ms up to every 10 s)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> manager.endpoint(uid) == null);
        }
        // nothing else happens on bdb.config: the manager tries again by itself
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.endpoint(uid) != null);
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(send(s, "PING\r\n", 1).get(0)).isEqualTo("+PONG");
        }
    }

    @Test
    void aJavaClientWithSslWorks() throws Exception {
        Bdb b = newBdb(mode(TlsMode.ENABLED));
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", b.port()), DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(context(null).getSocketFactory()).build())) {
            assertThat(jedis.set("jedis" + b.uid(), "tls")).isEqualTo("OK");
            assertThat(jedis.get("jedis" + b.uid())).isEqualTo("tls");
        }
    }

    @Test
    void mutualTlsAcceptsTheClientCertificateAndRefusesAClientWithout() throws Exception {
        TestPki.Issued clientCa = TestPki.ca("client CA");
        TestPki.Issued user = TestPki.client(clientCa, "CN=redis_user,O=Acme");
        user.write(EndpointPkiResource.dir, "redis_user");
        Bdb b = newBdb(tls(TlsMode.ENABLED, true, List.of(clientCa.pem()), List.of(), SubjectValidation.DISABLED, List.of(), false, false));
        String tls = "--tls";
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + b.port(), tls, "--cacert", pki("proxy_cert.pem").toString(), "--cert",
                pki("redis_user.crt").toString(), "--key", pki("redis_user.key").toString(), "PING")).isEqualTo("PONG");
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + b.port(), tls, "--cacert", pki("proxy_cert.pem").toString(), "PING"))
                .isNotEqualTo("PONG");
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.refusals(b.uid(), Refusal.NO_CLIENT_CERT) >= 1);
    }

    // ------------------------------------------------------------------------ the negative matrix

    @Test
    void everyRefusalReasonIsCountedAndEachAcceptedCaseWorks() throws Exception {
        TestPki.Issued clientCa = TestPki.ca("client CA");
        TestPki.Issued stranger = TestPki.ca("someone else");
        TestPki.Issued pinnedLeaf = TestPki.client(stranger, "CN=pinned");
        TestPki.Issued good = TestPki.client(clientCa, "CN=app,OU=ops,OU=dev,O=Acme,C=FR");
        TestPki.Issued wrongSubject = TestPki.client(clientCa, "CN=app,OU=ops,O=Acme,C=FR");
        TestPki.Issued untrusted = TestPki.client(stranger, "CN=app,OU=ops,OU=dev,O=Acme,C=FR");
        TestPki.Issued expired = TestPki.client(clientCa, "CN=app,OU=dev,OU=ops,O=Acme,C=FR", Instant.now().minus(Duration.ofDays(9)),
                Instant.now().minus(Duration.ofDays(1)), TestPki.ec());
        TestPki.Issued weak = TestPki.client(clientCa, "CN=app,OU=ops,OU=dev,O=Acme,C=FR", Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(1)), TestPki.rsa(1024));
        List<AuthorizedSubject> subjects = List.of(new AuthorizedSubject("app", "Acme", List.of("dev", "ops"), null, null, "FR"));
        Bdb b = newBdb(tls(TlsMode.ENABLED, true, List.of(clientCa.pem(), pinnedLeaf.pem()), List.of(), SubjectValidation.FULL_SUBJECT,
                subjects, false, false));

        assertThat(ping(b, good)).isEqualTo("+PONG");
        assertThat(ping(b, pinnedLeaf)).as("a pinned leaf skips subject validation").isEqualTo("+PONG");
        assertRefused(b, untrusted, Refusal.UNTRUSTED, "unknown_ca");
        assertRefused(b, wrongSubject, Refusal.SUBJECT_MISMATCH, "bad_certificate");
        assertRefused(b, expired, Refusal.EXPIRED, "certificate_expired");
        assertRefused(b, weak, Refusal.WEAK_HASH, "bad_certificate");
        assertRefused(b, null, Refusal.NO_CLIENT_CERT);

        // san_cn: only the CN counts.
        Bdb cn = newBdb(tls(TlsMode.ENABLED, true, List.of(clientCa.pem()), List.of(), SubjectValidation.SAN_CN, subjects, false, false));
        assertThat(ping(cn, wrongSubject)).isEqualTo("+PONG");

        // rladmin tune db ... mtls_allow_outdated_certs / mtls_allow_weak_hashing enabled.
        publish(b.uid(), b.port(), 2, tls(TlsMode.ENABLED, true, List.of(clientCa.pem()), List.of(), SubjectValidation.FULL_SUBJECT, subjects,
                true, true));
        assertThat(ping(b, expired)).isEqualTo("+PONG");
        assertThat(ping(b, weak)).isEqualTo("+PONG");

        // TLS 1.0 is never accepted.
        var hello = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + b.port(), "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        hello.getInputStream().readAllBytes();
        hello.waitFor(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.refusals(b.uid(), Refusal.PROTOCOL_VERSION) >= 1);
    }

    @Test
    void replicaSslLetsClientsInPlainButReplicationOnlyFromATrustedSyncerOverTls() throws Exception {
        TestPki.Issued syncerCa = TestPki.ca("peer CA");
        TestPki.Issued peerSyncer = TestPki.client(syncerCa, "CN=syncer.cluster-b");
        TestPki.Issued notASyncer = TestPki.client(syncerCa, "CN=syncer.cluster-x");
        Bdb b = newBdb(tls(TlsMode.REPLICA_SSL, false, List.of(), List.of(TestPki.pem(peerSyncer.cert(), syncerCa.cert())),
                SubjectValidation.DISABLED, List.of(), false, false));
        assertThat(redisCli("-p", "" + b.port(), "PING")).isEqualTo("PONG");
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + b.port(), "--tls", "--cacert", pki("proxy_cert.pem").toString(), "PING"))
                .isEqualTo("PONG");
        try (Socket plain = new Socket("127.0.0.1", b.port())) {
            assertThat(send(plain, "PING\r\nPSYNC ? -1\r\n", 2)).containsExactly("+PONG", "-" + CommandPolicy.REPLICATION_REFUSED);
        }
        assertThat(metrics.refusals(b.uid(), Refusal.REPLICATION_REFUSED)).isGreaterThanOrEqualTo(1);
        try (SSLSocket s = tlsSocket(b, notASyncer)) {
            assertThat(send(s, "REPLCONF listening-port 1\r\n", 1).get(0)).startsWith("-ERR replication");
        }
        // A peer's connection gets a backend connection of its own, made from the TLS handshake's callback (on the
        // client's event loop, by construction: the backend channel is registered on the client's loop).
        for (int i = 0; i < 6; i++) {
            try (SSLSocket s = tlsSocket(b, peerSyncer)) {
                assertThat(send(s, "PSYNC ? -1\r\n", 1).get(0)).startsWith("+FULLRESYNC");
            }
        }
    }

    /**
     * The seed's manual Replica Of: the destination's certificate pasted into the source's
     * {@code authentication_ssl_client_certs} lets the holder of its key replicate. The destination here is a plain
     * {@code redis-server} replica (not the suite's channel), with {@code tls-replication yes} and that certificate;
     * another replica, whose certificate was not pasted, is refused.
     */
    @Test
    void aCertificatePastedIntoClientCertsLetsAnExternalRedisReplicaReplicateAndAnotherIsRefused() throws Exception {
        TestPki.Issued destinationCa = TestPki.ca("destination CA");
        TestPki.Issued pasted = TestPki.client(destinationCa, "CN=syncer.destination");
        TestPki.Issued notPasted = TestPki.client(destinationCa, "CN=syncer.elsewhere");
        Bdb b = newBdb(tls(TlsMode.REPLICA_SSL, false, List.of(TestPki.pem(pasted.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), false, false));
        assertThat(redisCli("-p", "" + b.port(), "SET", "replica-of:by-hand", "copied")).isEqualTo("OK");
        Path dir = Files.createTempDirectory(SharedKafka.workDir(), "replicas");
        pasted.write(dir, "pasted");
        notPasted.write(dir, "not-pasted");
        double refusedBefore = metrics.refusals(b.uid(), Refusal.REPLICATION_REFUSED);
        try (RedisServer good = replicaOf(b, dir, "pasted"); RedisServer bad = replicaOf(b, dir, "not-pasted")) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(redisCli("-p", "" + good.port(), "INFO", "replication")).contains("master_link_status:up");
                assertThat(redisCli("-p", "" + good.port(), "GET", "replica-of:by-hand")).isEqualTo("copied");
            });
            assertThat(redisCli("-p", "" + b.port(), "SET", "replica-of:streamed", "too")).isEqualTo("OK");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(redisCli("-p", "" + good.port(), "GET", "replica-of:streamed")).isEqualTo("too"));
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.refusals(b.uid(), Refusal.REPLICATION_REFUSED) > refusedBefore);
            assertThat(redisCli("-p", "" + bad.port(), "INFO", "replication")).contains("master_link_status:down");
            assertThat(redisCli("-p", "" + bad.port(), "GET", "replica-of:by-hand")).isEmpty();
        }
    }

    /** A redis-server replicating the bdb's endpoint over TLS with certificate {@code <name>.crt}/{@code .key} in {@code dir}. */
    private static RedisServer replicaOf(Bdb b, Path dir, String name) {
        return RedisServer.start(dir.resolve(name + "-data"), 0, false, List.of("--replicaof", "127.0.0.1", Integer.toString(b.port()),
                "--tls-replication", "yes", "--tls-cert-file", dir.resolve(name + ".crt").toString(),
                "--tls-key-file", dir.resolve(name + ".key").toString(), "--tls-ca-cert-file", pki("ca.pem").toString()));
    }

    @Test
    void anOpenConnectionKeepsWorkingAfterTlsBecomesRequiredWhileANewPlaintextOneIsRefused() throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED));
        try (Socket open = new Socket("127.0.0.1", b.port())) {
            assertThat(send(open, "PING\r\n", 1)).containsExactly("+PONG");
            publish(b.uid(), b.port(), 2, mode(TlsMode.ENABLED));
            assertThat(send(open, "SET still k\r\nGET still\r\n", 3)).containsExactly("+OK", "$1", "k");
            assertThat(redisCli("-p", "" + b.port(), "PING")).contains("TLS");
            assertThat(redisCli("-h", "127.0.0.1", "-p", "" + b.port(), "--tls", "--cacert", pki("proxy_cert.pem").toString(), "PING"))
                    .isEqualTo("PONG");
        }
    }

    // ------------------------------------------------------------------- shared backend connections

    @ParameterizedTest(name = "backend over {0}")
    @ValueSource(strings = {"tcp", "unix"})
    void clientsShareBackendConnectionsAndEachGetsExactlyItsOwnReplies(String hop) throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED), hop);
        int before = backendClients();
        int clients = 16;
        List<Socket> open = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Socket s = new Socket("127.0.0.1", b.port());
                open.add(s);
                String key = "shared:" + b.uid() + ":" + c;
                results.add(pool.submit(() -> {
                    // pipelines as deep as a shared connection takes (redis-benchmark -P 16), each sent in pieces
                    List<String> lines = new ArrayList<>();
                    for (int round = 0; round < 200 / Endpoint.SHARED_IN_FLIGHT; round++) {
                        StringBuilder pipeline = new StringBuilder();
                        for (int i = 0; i < Endpoint.SHARED_IN_FLIGHT; i++) {
                            pipeline.append(Requests.resp("INCR", key));
                        }
                        lines.addAll(sendInPieces(s, pipeline.toString(), Endpoint.SHARED_IN_FLIGHT));
                    }
                    StringBuilder rest = new StringBuilder();
                    for (int i = 0; i < 200 % Endpoint.SHARED_IN_FLIGHT; i++) {
                        rest.append(Requests.resp("INCR", key));
                    }
                    rest.append(Requests.resp("GET", key));
                    lines.addAll(sendInPieces(s, rest.toString(), 200 % Endpoint.SHARED_IN_FLIGHT + 2));
                    return lines;
                }));
            }
            for (Future<List<String>> r : results) {
                List<String> lines = r.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 200; i++) {
                    assertThat(lines.get(i)).isEqualTo(":" + (i + 1));
                }
                assertThat(lines.subList(200, 202)).containsExactly("$3", "200");
            }
            // 16 clients, all still connected, spread over one event loop per core (the endpoint's acceptors), cost
            // the backend a connection per event loop, not one each
            int loops = manager.endpoint(b.uid()).loopsUsed();
            assertThat(loops).as("event loops the clients landed on").isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(backendClients() - before).isBetween(1, loops);
        } finally {
            pool.shutdownNow();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aCommandThatNeedsItsOwnConnectionGetsOneInOrderAndItsStateStaysItsOwn() throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED));
        String key = "own:" + b.uid();
        try (Socket mover = new Socket("127.0.0.1", b.port()); Socket other = new Socket("127.0.0.1", b.port())) {
            String r = Requests.resp("SET", key, "shared") + Requests.resp("SELECT", "1")
                    + Requests.resp("GET", key) + Requests.resp("SELECT", "0")
                    + Requests.resp("GET", key) + "PING\r\n";
            assertThat(send(mover, r, 7)).containsExactly("+OK", "+OK", "$-1", "+OK", "$6", "shared", "+PONG");
            assertThat(send(other, Requests.resp("SELECT", "1") + Requests.resp("SET", key, "db1"), 2))
                    .containsExactly("+OK", "+OK");
            try (Socket third = new Socket("127.0.0.1", b.port())) {
                assertThat(send(third, Requests.resp("GET", key), 2)).as("the shared connection is still on db 0")
                        .containsExactly("$6", "shared");
            }
        }
    }

    @Test
    void aBlockedOrSubscribedClientDoesNotHoldUpTheOthers() throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED));
        String queue = "queue:" + b.uid();
        try (Socket blocked = new Socket("127.0.0.1", b.port()); Socket subscriber = new Socket("127.0.0.1", b.port());
                Socket other = new Socket("127.0.0.1", b.port())) {
            blocked.getOutputStream().write(Requests.resp("BLPOP", queue, "10").getBytes(StandardCharsets.US_ASCII));
            assertThat(send(subscriber, Requests.resp("SUBSCRIBE", "news" + b.uid()), 6)).contains("subscribe");
            long t0 = System.nanoTime();
            assertThat(send(other, Requests.resp("PING"), 1)).containsExactly("+PONG");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThat(send(other, Requests.resp("RPUSH", queue, "x") + Requests.resp("PUBLISH", "news" + b.uid(), "hi"), 2))
                    .containsExactly(":1", ":1");
            assertThat(send(blocked, "", 5)).containsExactly("*2", "$" + queue.length(), queue, "$1", "x");
            assertThat(send(subscriber, "", 7)).containsExactly("*3", "$7", "message", "$" + ("news" + b.uid()).length(), "news" + b.uid(), "$2", "hi");
        }
    }

    @Test
    void aLargeValueInManyPiecesArrivesWhole() throws Exception {
        Bdb b = newBdb(mode(TlsMode.DISABLED));
        String key = "big:" + b.uid();
        String value = "v".repeat(3 * Endpoint.MAX_PARTIAL_COMMAND + 17);
        try (Socket s = new Socket("127.0.0.1", b.port()); Socket small = new Socket("127.0.0.1", b.port())) {
            assertThat(sendInPieces(small, Requests.resp("SET", key + ":small", "v".repeat(5000)), 1)).containsExactly("+OK");
            assertThat(sendInPieces(s, Requests.resp("SET", key, value) + Requests.resp("STRLEN", key), 2))
                    .containsExactly("+OK", ":" + value.length());
            assertThat(send(small, Requests.resp("STRLEN", key), 1)).containsExactly(":" + value.length());
        }
    }

    /** Writes {@code request} in pieces of varying size, each flushed, then reads {@code lines} reply lines. */
    static List<String> sendInPieces(Socket s, String request, int lines) throws Exception {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        OutputStream out = s.getOutputStream();
        java.util.Random random = new java.util.Random(bytes.length);
        for (int at = 0; at < bytes.length;) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(Math.max(1, Math.min(bytes.length / 4, 70_000))));
            out.write(bytes, at, n);
            out.flush();
            at += n;
        }
        return send(s, "", lines);
    }

    static int backendClients() throws Exception {
        String info = redisCli("-p", "" + backend.port(), "INFO", "clients");
        return Integer.parseInt(info.lines().filter(l -> l.startsWith("connected_clients:")).findFirst().orElseThrow().split(":")[1].trim());
    }

    // ------------------------------------------------------------------------------------ helpers

    String ping(Bdb b, TestPki.Issued client) throws Exception {
        try (SSLSocket s = tlsSocket(b, client)) {
            return send(s, "PING\r\n", 1).get(0);
        }
    }

    void assertRefused(Bdb b, TestPki.Issued client, Refusal reason) throws Exception {
        assertRefused(b, client, reason, null);
    }

    /** Refused, counted under {@code reason}, and (when {@code alert} is given) told so by that TLS alert. */
    void assertRefused(Bdb b, TestPki.Issued client, Refusal reason, String alert) throws Exception {
        double before = metrics.refusals(b.uid(), reason);
        String told = null;
        try (SSLSocket s = tlsSocket(b, client)) {
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            int r = s.getInputStream().read();
            assertThat(r).as("expected the connection to be refused for " + reason).isEqualTo(-1);
        } catch (java.io.IOException refused) { // during the handshake, or (TLS 1.3) at the first read
            told = refused.getMessage();
        }
        if (alert != null) {
            assertThat(told).as("the client is told why: " + reason).contains("alert: " + alert);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics.refusals(b.uid(), reason)).isEqualTo(before + 1));
    }

    SSLSocket tlsSocket(Bdb b, TestPki.Issued client) throws Exception {
        SSLSocket s = (SSLSocket) context(client).getSocketFactory().createSocket("127.0.0.1", b.port());
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    static SSLContext context(TestPki.Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", EndpointPkiResource.clusterCa.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", client.keys().getPrivate(), new char[0], new X509Certificate[] {client.cert()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static List<String> send(Socket s, String request, int lines) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.setSoTimeout(5000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            got.add(in.readLine());
        }
        return got;
    }
}
