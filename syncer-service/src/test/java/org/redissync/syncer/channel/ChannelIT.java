package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.events.SyncState;
import org.redissync.events.TlsMode;
import org.redissync.testing.FreePorts;
import org.redissync.testing.RedisServer;
import org.redissync.testing.SharedKafka;
import org.redissync.syncer.TestPki;
import org.redissync.syncer.endpoint.EndpointPkiResource;
import org.redissync.syncer.events.SyncerEvents;

import redis.clients.jedis.Jedis;

/**
 * A Replica Of channel of this syncer-service against an endpoint of the same syncer-service, both
 * in front of real redis-servers, configured by bdb.config events on the real broker.
 */
@QuarkusTest
@WithTestResource(value = EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class ChannelIT {

    static RedisServer source;
    static RedisServer destination;

    @Inject
    SyncerEvents events;

    @Inject
    ChannelManager channels;

    @BeforeAll
    static void backends() throws Exception {
        source = RedisServer.start(SharedKafka.workDir().resolve("channel-source-" + System.nanoTime()), 0, false, List.of());
        destination = RedisServer.start(SharedKafka.workDir().resolve("channel-destination-" + System.nanoTime()), 0, false, List.of());
        assertThat(destination.localAddress()).as("the destination is reached over its Unix socket").startsWith("unix:/");
    }

    @AfterAll
    static void stopBackends() {
        source.close();
        destination.close();
    }

    void publish(BdbConfigured b) throws Exception {
        events.streams().publisher().publish(b).get(10, TimeUnit.SECONDS);
    }

    /** The destination's backend is reached over its Unix socket, every other one over TCP: both hops are covered. */
    static BdbConfigured bdb(long uid, long generation, int port, RedisServer backend, Tls tls, List<ReplicaSource> sources) {
        String address = backend == destination ? backend.localAddress() : backend.address();
        return new BdbConfigured(BdbConfigured.VERSION, uid, generation, "db" + uid, "cluster-test", port, address, 1 << 20, null,
                tls, sources, sources.isEmpty() ? "disabled" : "enabled", Instant.now());
    }

    static Tls replicaSsl(List<String> crdtCerts) {
        return new Tls(TlsMode.REPLICA_SSL, false, List.of(), crdtCerts, SubjectValidation.DISABLED, List.of(), false, false);
    }

    @Test
    void anUntrustedDestinationIsRefusedWithTheReasonThenReplicatesOverTlsOnceTrusted() throws Exception {
        long srcUid = 900_000 + System.nanoTime() % 1000;
        long destUid = srcUid + 1;
        int srcPort = FreePorts.next();
        publish(bdb(srcUid, 1, srcPort, source, replicaSsl(List.of()), List.of()));
        try (Jedis s = new Jedis("127.0.0.1", source.port())) {
            s.set("before", "1");
        }
        publish(bdb(destUid, 1, FreePorts.next(), destination, Tls.disabled(),
                List.of(new ReplicaSource(1, "redis://127.0.0.1:" + srcPort, true, null, null, 0))));
        String id = "bdb:" + destUid + "/source:1";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Channel.Snapshot s = channels.snapshots().get(id);
            assertThat(s).isNotNull();
            assertThat(s.state()).isEqualTo(SyncState.OUT_OF_SYNC);
            assertThat(s.lastError()).contains("the source refused replication", "trusted syncer certificate");
        });

        // The source starts trusting this cluster's syncer certificate (what the coordinator does): the channel retries at once.
        String syncerPem = TestPki.pem(EndpointPkiResource.syncer.cert(), EndpointPkiResource.clusterCa.cert());
        publish(bdb(srcUid, 2, srcPort, source, replicaSsl(List.of(syncerPem)), List.of()));
        try (Jedis s = new Jedis("127.0.0.1", source.port())) {
            s.rpush("after", "a", "b");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Jedis d = new Jedis("127.0.0.1", destination.port())) {
                assertThat(d.get("before")).isEqualTo("1");
                assertThat(d.lrange("after", 0, -1)).containsExactly("a", "b");
            }
            Channel.Snapshot s = channels.snapshots().get(id);
            assertThat(s.state()).isEqualTo(SyncState.IN_SYNC);
            assertThat(s.lastError()).isNull();
            assertThat(s.tls().enabled()).isTrue();
            assertThat(s.tls().protocol()).startsWith("TLSv1.");
            assertThat(s.tls().cipher()).contains("GCM");
            assertThat(s.tls().peerSubject()).contains("CN=proxy.cluster-test");
            assertThat(s.fullResyncs()).isEqualTo(1);
        });

        // Removed from the desired state: the channel stops.
        publish(bdb(destUid, 2, FreePorts.next(), destination, Tls.disabled(), List.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> !channels.snapshots().containsKey(id));
    }

    @Test
    void theSourceUrisPasswordIsUsedAndARefusedOneStopsTheChannelUntilTheConfigChanges() throws Exception {
        // A source outside the suite (a plain redis-server with a password), as Replica Of allows.
        RedisServer secured = RedisServer.start(SharedKafka.workDir().resolve("channel-secured-" + System.nanoTime()), 0, false,
                List.of());
        try {
            try (Jedis s = new Jedis("127.0.0.1", secured.port())) {
                s.configSet("requirepass", "s3cret"); // after start: the start check pings without a password
                s.auth("s3cret");
                s.set("secured:k", "v");
            }
            long destUid = 910_000 + System.nanoTime() % 1000;
            int destPort = FreePorts.next();
            String id = "bdb:" + destUid + "/source:1";
            publish(bdb(destUid, 1, destPort, destination, Tls.disabled(),
                    List.of(new ReplicaSource(1, "redis://:wrong@127.0.0.1:" + secured.port(), false, null, null, 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Channel.Snapshot s = channels.snapshots().get(id);
                assertThat(s).isNotNull();
                assertThat(s.stopped()).isTrue();
                assertThat(s.state()).isEqualTo(SyncState.OUT_OF_SYNC);
                assertThat(s.lastError()).startsWith("authentication refused by the source").doesNotContain("wrong");
            });

            // The operator fixes the URI: the stopped channel starts again and replicates.
            publish(bdb(destUid, 2, destPort, destination, Tls.disabled(),
                    List.of(new ReplicaSource(1, "redis://:s3cret@127.0.0.1:" + secured.port(), false, null, null, 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Channel.Snapshot s = channels.snapshots().get(id);
                assertThat(s.stopped()).isFalse();
                assertThat(s.state()).isEqualTo(SyncState.IN_SYNC);
                try (Jedis d = new Jedis("127.0.0.1", destination.port())) {
                    assertThat(d.get("secured:k")).isEqualTo("v");
                }
            });

            // Streaming after the full sync: writes of any size arrive, and the source's WAIT counts the channel at
            // once: it answers REPLCONF GETACK with its offset (its periodic ACK comes only every second, so five
            // WAITs of 300 ms would not all succeed without the answer).
            String big = "x".repeat(300_000);
            try (Jedis s = new Jedis("127.0.0.1", secured.port())) {
                s.auth("s3cret");
                s.set("secured:big", big);
                s.rpush("secured:list", "1", "2", "3");
                for (int i = 0; i < 5; i++) {
                    s.incr("secured:waited");
                    long w = s.waitReplicas(1, 300);
                    assertThat(w).as("WAIT %d", i).isEqualTo(1);
                }
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (Jedis d = new Jedis("127.0.0.1", destination.port())) {
                    assertThat(d.get("secured:big")).isEqualTo(big);
                    assertThat(d.lrange("secured:list", 0, -1)).containsExactly("1", "2", "3");
                    assertThat(d.get("secured:waited")).isEqualTo("5");
                }
            });
            publish(bdb(destUid, 3, destPort, destination, Tls.disabled(), List.of()));
        } finally {
            secured.close();
        }
    }

    @Test
    void replicationTlsSniIsTheServerNameTheChannelSends() throws Exception {
        // A TLS source that records the server name of every ClientHello (its certificate is not trusted:
        // the handshake fails after the hello, which is all this needs).
        TestPki.Issued ca = TestPki.ca("sni test CA");
        TestPki.Issued cert = TestPki.server(ca, "sni-source");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", cert.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {cert.cert()});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            javax.net.ssl.SSLParameters params = server.getSSLParameters();
            params.setSNIMatchers(List.of(new javax.net.ssl.SNIMatcher(javax.net.ssl.StandardConstants.SNI_HOST_NAME) {
                @Override
                public boolean matches(javax.net.ssl.SNIServerName name) {
                    seen.add(new String(name.getEncoded(), java.nio.charset.StandardCharsets.US_ASCII));
                    return true;
                }
            }));
            server.setSSLParameters(params);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (var c = (javax.net.ssl.SSLSocket) server.accept()) {
                        c.setSoTimeout(2000);
                        c.startHandshake();
                    } catch (java.io.IOException e) {
                        // the channel refuses our certificate, or the server closed: either way, next
                    }
                }
            }, "sni-source");
            acceptor.setDaemon(true);
            acceptor.start();

            long destUid = 920_000 + System.nanoTime() % 1000;
            int destPort = FreePorts.next();
            String id = "bdb:" + destUid + "/source:1";
            publish(bdb(destUid, 1, destPort, destination, Tls.disabled(), List.of(new ReplicaSource(1,
                    "redis://127.0.0.1:" + server.getLocalPort(), true, null, "db-1.cluster-x.example.test", 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(seen).containsExactly("db-1.cluster-x.example.test");
                Channel.Snapshot snap = channels.snapshots().get(id);
                assertThat(snap.state()).isEqualTo(SyncState.OUT_OF_SYNC);
                assertThat(snap.lastError()).contains("TLS handshake");
            });
            publish(bdb(destUid, 2, destPort, destination, Tls.disabled(), List.of()));
        }
    }
}
