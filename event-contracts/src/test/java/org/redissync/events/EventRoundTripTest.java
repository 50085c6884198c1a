package org.redissync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.BdbDeleted;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.ClusterCertificateEvent.CaPublished;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbDeleted;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbTaskEvent.ClusterProgress;
import org.redissync.events.CrdbTaskEvent.TaskError;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.SyncerStatusEvent.ChannelKind;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.SyncerStatusEvent.TlsFacts;
import org.redissync.events.EventJson;
import org.redissync.events.Topic;

class EventRoundTripTest {

    static final Instant T = Instant.parse("2026-11-28T10:15:30.123Z");
    static final PublishedCertificate CERT = new PublishedCertificate("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "AB:CD", "CN=syncer.cluster-a", "0f1e2d3c4b5a6978", T, T.plusSeconds(90 * 86400), T.plusSeconds(86400));

    /** One populated sample of every event type on every topic. */
    static Stream<SuiteEvent> samples() {
        return Stream.of(
                new CrdbConfigured(CrdbConfigured.VERSION, "crdb:1b2c", 3, "orders", true, false,
                        Map.of("memory_size", 1073741824, "tls_mode", "replica_ssl"),
                        List.of(new Instance(1, "cluster-a", 1, "127.0.0.1:12000", null, 3),
                                new Instance(2, "cluster-b", 2, "127.0.0.1:12001", "b.example", 0),
                                new Instance(3, "cluster-c", 5, "127.0.0.1:12002", null, 3, CrdbConfigEvent.Membership.JOINING)),
                        1, T),
                new CrdbDeleted(CrdbDeleted.VERSION, "crdb:1b2c", 4, List.of(new Instance(1, "cluster-a", 1, "127.0.0.1:12000", null, 3)), T),
                new BdbConfigured(BdbConfigured.VERSION, 7, 2, "orders", "cluster-a", 12000, "127.0.0.1:6379", 1 << 30,
                        "crdb:1b2c",
                        new Tls(TlsMode.ENABLED, true, List.of("pem-a"), List.of("pem-b"), SubjectValidation.FULL_SUBJECT,
                                List.of(new AuthorizedSubject("app", "Acme", List.of("ops", "dev"), "Paris", "IDF", "FR")),
                                true, false),
                        List.of(new ReplicaSource(1, "redis://admin:********@127.0.0.1:12001", true, "pem-c", "sni.example", 2, "pem-d",
                                "bdb7-source1-0f1e2d3c4b5a6978", "bdb7-source1-pw-1a2b3c4d5e6f7a8b")),
                        "enabled", T, 100, "allkeys-lru", "aof"),
                new BdbDeleted(BdbDeleted.VERSION, 7, 3, "cluster-a", T),
                new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, "cluster-a", CertRole.SYNCER, 5, CERT,
                        List.of(CERT), false, 2, T),
                new CaPublished(CaPublished.VERSION, 1, CERT, List.of(CERT), T),
                new ChannelStatus(ChannelStatus.VERSION, "cluster-b", "crdb:1b2c/1->2", ChannelKind.CRDB, "crdb:1b2c", 8,
                        "127.0.0.1:12000", 3, SyncState.IN_SYNC, 12, null,
                        new TlsFacts(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=proxy.cluster-a", T), 1, 4, false, T,
                        new SyncerStatusEvent.StreamPosition("8de3a1", 1234)),
                new EndpointStatus(EndpointStatus.VERSION, "cluster-a", 7, 2, TlsMode.REPLICA_SSL, 12000, true, null, T),
                new ShardStatus(ShardStatus.VERSION, "cluster-a", 7, 2, ShardState.RECOVERING, "exited with 1", 4242, 3, T,
                        new SyncerStatusEvent.WritesPaused(4, new SyncerStatusEvent.StreamPosition("8de3a1", 99))),
                new SyncerStatusEvent.SyncerHeartbeat(SyncerStatusEvent.SyncerHeartbeat.VERSION, "cluster-a", T,
                        java.time.Duration.ofSeconds(2), T.minusSeconds(60)),
                new TaskUpdated(TaskUpdated.VERSION, "633aaea3-97ee", 2, "crdb:1b2c", "update_crdb", TaskStatus.FAILED, 3,
                        "coordinator", T, T, T.plusSeconds(1),
                        List.of(new TaskError("cluster-b", "timed out", "timeout")),
                        List.of(new ClusterProgress("cluster-a", "done"))),
                new SuiteSettingsEvent.DataTlsSettings(SuiteSettingsEvent.DataTlsSettings.VERSION, 3, "1.3",
                        List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), List.of("TLS_AES_256_GCM_SHA384"), T));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyEventSurvivesTheWireUnchanged(SuiteEvent event) {
        Topic topic = Topic.of(event.getClass());
        byte[] json = EventJson.write(event);
        SuiteEvent back = EventJson.read(json, topic.eventType());
        assertThat(back).isEqualTo(event);
        assertThat(back.key()).isEqualTo(event.key());
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"type\":").contains("\"version\":1");
    }

    @Test
    void everyPermittedEventTypeHasASample() {
        Set<Class<?>> sampled = samples().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> permitted = Arrays.stream(Topic.values())
                .flatMap(t -> Arrays.stream(t.eventType().getPermittedSubclasses()))
                .collect(Collectors.toSet());
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(permitted);
    }

    @Test
    void theWireUsesSnakeCaseAndRedisEnterpriseSpellings() {
        String json = EventJson.writeString(samples().filter(e -> e instanceof BdbConfigured).findFirst().orElseThrow());
        assertThat(json).contains("\"tls_mode\":\"enabled\"", "\"subject_validation\":\"full_subject\"",
                "\"replica_sources\":", "\"allow_outdated_certs\":true",
                "\"eviction_policy\":\"allkeys-lru\"", "\"data_persistence\":\"aof\"", "\"updated_at\":\"2026-11-28T10:15:30.123Z\"");
    }

    @Test
    void anInstanceFromBeforeMembershipChangesIsActive() {
        String json = "{\"type\":\"crdb_deleted\",\"version\":1,\"guid\":\"g\",\"generation\":9,\"deleted_at\":\"2026-01-01T00:00:00Z\","
                + "\"instances\":[{\"id\":1,\"cluster\":\"a\",\"bdb_uid\":1,\"replication_endpoint\":\"h:1\",\"compression\":3}]}";
        CrdbDeleted e = (CrdbDeleted) EventJson.read(json.getBytes(StandardCharsets.UTF_8), CrdbConfigEvent.class);
        assertThat(e.instances().get(0).membership()).isEqualTo(CrdbConfigEvent.Membership.ACTIVE);
        assertThat(EventJson.writeString(samples().findFirst().orElseThrow())).contains("\"membership\":\"joining\"");
    }

    @Test
    void unknownFieldsFromANewerProducerAreIgnored() {
        String json = "{\"type\":\"crdb_deleted\",\"version\":2,\"guid\":\"g\",\"generation\":9,\"deleted_at\":\"2026-01-01T00:00:00Z\","
                + "\"added_in_v2\":{\"x\":1}}";
        CrdbConfigEvent e = EventJson.read(json.getBytes(StandardCharsets.UTF_8), CrdbConfigEvent.class);
        assertThat(e).isEqualTo(new CrdbDeleted(2, "g", 9, List.of(), Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void keysAreTheAggregateIds() {
        assertThat(samples().map(SuiteEvent::key)).containsExactly("crdb:1b2c", "crdb:1b2c", "7", "7", "cluster-a/syncer", "ca",
                "cluster-b/channel/crdb:1b2c/1->2", "cluster-a/endpoint/7", "cluster-a/shard/7", "cluster-a/syncer", "633aaea3-97ee", "data_tls");
    }
}
