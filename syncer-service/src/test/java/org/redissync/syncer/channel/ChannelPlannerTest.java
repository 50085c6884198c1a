package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.RedisAddress;
import org.redissync.events.SyncerStatusEvent.ChannelKind;
import org.redissync.syncer.resp.RespCommand;

class ChannelPlannerTest {

    static BdbConfigured bdb(long uid, String cluster, int port, String guid, List<ReplicaSource> sources, String replicaSync) {
        String backend = uid == 1 ? "unix:/run/redis/db1.sock" : "127.0.0.1:" + (7000 + uid);
        return new BdbConfigured(1, uid, 3, "db" + uid, cluster, port, backend, 100, guid, Tls.disabled(), sources, replicaSync, Instant.EPOCH);
    }

    static CrdbConfigured crdb(boolean encryption, long force) {
        return new CrdbConfigured(1, "g1", 7, "mesh", encryption, false, Map.of(), List.of(
                new Instance(1, "a", 1, "127.0.0.1:12000", null, 0),
                new Instance(2, "b", 2, "127.0.0.1:12001", "b.example", 0),
                new Instance(3, "c", 3, "127.0.0.1:12002", null, 0)), force, Instant.EPOCH);
    }

    static final Map<Long, BdbConfigured> MESH = Map.of(
            1L, bdb(1, "a", 12000, "g1", List.of(), null),
            2L, bdb(2, "b", 12001, "g1", List.of(), null),
            3L, bdb(3, "c", 12002, "g1", List.of(), null));

    @Test
    void aCrdbOfThreeGivesEachClusterOneChannelFromEachPeer() {
        var plan = plan("a", List.of(crdb(true, 0)), MESH);
        assertThat(plan.keySet()).containsExactlyInAnyOrder("g1/b->a", "g1/c->a");
        ChannelSpec fromB = plan.get("g1/b->a");
        assertThat(fromB.kind()).isEqualTo(ChannelKind.CRDB);
        assertThat(fromB.source()).isEqualTo("127.0.0.1:12001");
        assertThat(fromB.sourceCluster()).isEqualTo("b");
        assertThat(fromB.backend()).isEqualTo(org.redissync.syncer.shard.Backend.external(RedisAddress.unix("/run/redis/db1.sock")));
        assertThat(fromB.tls()).isTrue();
        assertThat(fromB.sni()).isEqualTo("b.example");
        assertThat(fromB.skipApplied()).isTrue();
        assertThat(fromB.observedGeneration()).isEqualTo(7);
        assertThat(plan("x", List.of(crdb(true, 0)), MESH)).isEmpty();
    }

    static CrdbConfigured withMembership(CrdbConfigured c, String cluster, org.redissync.events.CrdbConfigEvent.Membership m) {
        return new CrdbConfigured(1, c.guid(), c.generation() + 1, c.name(), c.encryption(), false, Map.of(),
                c.instances().stream().map(i -> i.cluster().equals(cluster) ? i.withMembership(m) : i).toList(), c.forceCounter(),
                Instant.EPOCH);
    }

    @Test
    void aLeavingInstanceTakesNoChannelsWhileItsPeersKeepPullingFromItAndAJoiningOnesSnapshotIsMarked() {
        var leaving = withMembership(crdb(true, 0), "b", org.redissync.events.CrdbConfigEvent.Membership.LEAVING);
        assertThat(plan("b", List.of(leaving), MESH)).isEmpty();
        ChannelSpec fromB = plan("a", List.of(leaving), MESH).get("g1/b->a");
        assertThat(fromB.sourceLeaving()).isTrue();
        assertThat(fromB.sourceJoining()).isFalse();
        assertThat(plan("a", List.of(leaving), MESH).get("g1/c->a").sourceLeaving()).isFalse();

        var joining = withMembership(crdb(true, 0), "c", org.redissync.events.CrdbConfigEvent.Membership.JOINING);
        assertThat(plan("c", List.of(joining), MESH).keySet()).containsExactlyInAnyOrder("g1/a->c", "g1/b->c");
        ChannelSpec fromC = plan("a", List.of(joining), MESH).get("g1/c->a");
        assertThat(fromC.sourceJoining()).isTrue();
        // becoming active is not a connection change: the channel is not rebuilt
        ChannelSpec active = plan("a", List.of(crdb(true, 0)), MESH).get("g1/c->a");
        assertThat(active.sameConnection(fromC)).isTrue();
        assertThat(fromC.withReported(active).sourceJoining()).isFalse();
    }

    @Test
    void aPeerInstanceWithTlsModeOnIsPulledFromOverTlsEvenWithoutTheCrdbsEncryption() {
        Map<Long, BdbConfigured> mesh = new java.util.HashMap<>(MESH);
        BdbConfigured b = MESH.get(2L);
        for (var mode : List.of(org.redissync.events.TlsMode.REPLICA_SSL, org.redissync.events.TlsMode.ENABLED)) {
            mesh.put(2L, new BdbConfigured(1, 2, 4, "db2", "b", 12001, b.backend(), 100, "g1",
                    new Tls(mode, false, List.of(), List.of(), null, List.of(), false, false), List.of(), null, Instant.EPOCH));
            var plan = plan("a", List.of(crdb(false, 0)), mesh);
            assertThat(plan.get("g1/b->a").tls()).as("from b, whose tls_mode is " + mode).isTrue();
            assertThat(plan.get("g1/c->a").tls()).as("from c, disabled").isFalse();
            assertThat(plan("b", List.of(crdb(false, 0)), mesh).get("g1/a->b").tls()).as("into b: its source a is disabled").isFalse();
        }
    }

    @Test
    void aBdbWhoseRedisTheClusterRunsIsPlannedWithItsShardAndItsCredentials() {
        Map<Long, BdbConfigured> managed = Map.of(
                1L, new BdbConfigured(1, 1, 3, "db1", "a", 12000, null, 100, "g1", Tls.disabled(), List.of(), null, Instant.EPOCH),
                2L, bdb(2, "b", 12001, "g1", List.of(), null));
        var shard = new org.redissync.syncer.shard.Backend(RedisAddress.unix("/data/bdb-1/redis.sock"), "client-pw", "admin-pw");
        var plan = ChannelPlanner.plan("a", List.of(crdb(true, 0)), managed, b -> b.uid() == 1 ? shard : null).channels();
        assertThat(plan.get("g1/b->a").backend()).isEqualTo(shard);
        assertThat(plan.get("g1/b->a").toString()).doesNotContain("admin-pw").doesNotContain("client-pw");
    }

    @Test
    void onlyConnectionSettingsMakeARebuild() {
        ChannelSpec on = plan("a", List.of(crdb(true, 0)), MESH).get("g1/b->a");
        ChannelSpec off = plan("a", List.of(crdb(false, 0)), MESH).get("g1/b->a");
        ChannelSpec forced = plan("a", List.of(crdb(true, 1)), MESH).get("g1/b->a");
        assertThat(on.sameConnection(on.withGeneration(99))).isTrue();
        assertThat(on.sameConnection(off)).isFalse();
        assertThat(on.sameConnection(forced)).isFalse();
        assertThat(on.sameConnection(on.withTrustKey("rotated"))).isFalse();
    }

    @Test
    void aPasswordCertServiceKeepsIsFetchedWhenConnectingNeverTakenFromTheMaskedUri() {
        var dest = bdb(9, "c", 12009, null, List.of(new ReplicaSource(1, "redis://app:********@10.1.1.1:6380", true, "PEM", null, 0,
                "CLIENT PEM", "bdb9-source1-00", "bdb9-source1-pw-00")), "enabled");
        var bdbs = new java.util.HashMap<>(MESH);
        bdbs.put(9L, dest);
        ChannelSpec s = plan("c", List.of(), bdbs).get("bdb:9/source:1");
        assertThat(s.password()).isNull();
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.credentialsId()).isEqualTo("bdb9-source1-pw-00");
        assertThat(s.clientKeyId()).isEqualTo("bdb9-source1-00");
        assertThat(s.clientCert()).isEqualTo("CLIENT PEM");
    }

    @Test
    void replicaOfGivesOneChannelPerSourceWithTheUriPasswordAndTheSourcesCluster() {
        var dest = bdb(9, "c", 12009, null, List.of(
                new ReplicaSource(1, "redis://:s3cret@127.0.0.1:12000", true, null, null, 0),
                new ReplicaSource(2, "redis://app:pw%40x@10.1.1.1:6380", false, "PEM", "src.example", 0)), "enabled");
        var bdbs = new java.util.HashMap<>(MESH);
        bdbs.put(9L, dest);
        var plan = plan("c", List.of(), bdbs);
        assertThat(plan.keySet()).containsExactlyInAnyOrder("bdb:9/source:1", "bdb:9/source:2");
        ChannelSpec one = plan.get("bdb:9/source:1");
        assertThat(one.kind()).isEqualTo(ChannelKind.REPLICA_OF);
        assertThat(one.password()).isEqualTo("s3cret");
        assertThat(one.user()).isNull();
        assertThat(one.sourceCluster()).isEqualTo("a");
        assertThat(one.skipApplied()).isFalse();
        assertThat(one.toString()).doesNotContain("s3cret");
        ChannelSpec two = plan.get("bdb:9/source:2");
        assertThat(two.user()).isEqualTo("app");
        assertThat(two.password()).isEqualTo("pw@x");
        assertThat(two.sourceCluster()).isNull();
        assertThat(two.pinnedServerCert()).isEqualTo("PEM");
        assertThat(two.sni()).isEqualTo("src.example");
        assertThat(two.tls()).isFalse();
    }

    /** The planned channels only (a test whose input all parses). */
    static Map<String, ChannelSpec> plan(String cluster, List<CrdbConfigured> crdbs, Map<Long, BdbConfigured> bdbs) {
        ChannelPlanner.Plan p = ChannelPlanner.plan(cluster, crdbs, bdbs);
        assertThat(p.unplanned()).isEmpty();
        return p.channels();
    }

    @Test
    void aDestinationWhoseStateDoesNotParseIsSetAsideWithoutHoldingUpTheOthers() {
        var badBackend = new BdbConfigured(1, 8, 3, "db8", "c", 12008, "no-port-here", 100, null, Tls.disabled(),
                List.of(new ReplicaSource(1, "redis://127.0.0.1:12000", false, null, null, 0)), "enabled", Instant.EPOCH);
        var badUri = bdb(9, "c", 12009, null, List.of(new ReplicaSource(1, "redis://127.0.0.1:12000", false, null, null, 0),
                new ReplicaSource(2, "redis://user:s3cret@", false, null, null, 0)), "enabled");
        var bdbs = new java.util.HashMap<>(MESH);
        bdbs.put(8L, badBackend);
        bdbs.put(9L, badUri);
        ChannelPlanner.Plan p = ChannelPlanner.plan("c", List.of(crdb(true, 0)), bdbs);
        assertThat(p.channels().keySet()).containsExactlyInAnyOrder("g1/a->c", "g1/b->c");
        assertThat(p.unplanned().keySet()).containsExactlyInAnyOrder(8L, 9L);
        assertThat(p.unplanned().get(9L)).contains("replica source 2").doesNotContain("s3cret");
    }

    @Test
    void pausedOrStoppedReplicaSyncRunsNoChannel() {
        for (String sync : List.of("paused", "stopped", "disabled")) {
            var dest = bdb(9, "c", 12009, null, List.of(new ReplicaSource(1, "redis://127.0.0.1:12000", false, null, null, 0)), sync);
            assertThat(plan("c", List.of(), Map.of(9L, dest))).as(sync).isEmpty();
        }
    }

    @Test
    void positionsRoundTripAndCountResyncs() {
        Position p = Position.none().at("abc", 42, 3).withFullResync().withPartialResync().withPartialResync();
        assertThat(Position.decode(p.encode())).isEqualTo(p);
        assertThat(Position.decode(null).isNone()).isTrue();
        assertThat(p.fullResyncs()).isEqualTo(1);
        assertThat(p.partialResyncs()).isEqualTo(2);
    }

    @Test
    void theAppliersFiltersKeepTheSuitesOwnTrafficOut() {
        assertThat(Applier.dropped(RespCommand.of("PUBLISH", "__redissync:applied", "x"))).isTrue();
        assertThat(Applier.dropped(RespCommand.of("SET", "__redissync:pos:x", "v1 a 1 0 0 0"))).isTrue();
        assertThat(Applier.dropped(RespCommand.of("ping"))).isTrue();
        assertThat(Applier.dropped(RespCommand.of("replconf", "GETACK", "*"))).isTrue();
        assertThat(Applier.dropped(RespCommand.of("SET", "user:1", "x"))).isFalse();
        assertThat(Applier.dropped(RespCommand.of("SET", "__redissync", "x"))).isFalse();
        assertThat(Applier.dropped(RespCommand.of("PUBLISH", "news", "x"))).isFalse();
        assertThat(Applier.reserved("__redissync:pos:x".getBytes())).isTrue();
        assertThat(Applier.reserved("__redissync".getBytes())).isFalse();
    }
}
