package org.redissync.syncer.channel;

import java.util.Objects;

import org.redissync.syncer.shard.Backend;
import org.redissync.events.SyncerStatusEvent.ChannelKind;

/**
 * What one channel should be: where it pulls from, how it connects, where it applies. Two specs that
 * differ only in {@link #observedGeneration()} describe the same connection: the channel is not
 * rebuilt, it only reports the newer generation.
 *
 * @param sourceCluster     the cluster the source bdb lives on, when it is one of the suite's (its
 *                          proxy certificate must then carry that cluster's identity), else null
 * @param pinnedServerCert  PEM of a pinned source certificate ({@code server_cert}), or null
 * @param skipApplied       drop source transactions another channel applied (CRDB full mesh); a
 *                          Replica Of channel takes everything its source holds
 * @param rebuildCounter    bumped by {@code crdb-cli crdb update --force}
 * @param trustKey          fingerprints of the certificates a TLS connection would use (ours, the CA,
 *                          the source's): a rotation on either side rebuilds the channel
 * @param sourceMembership  the source CRDB instance's part in a membership change (null for Replica Of): a joining
 *                          source's snapshot is not loaded (its data came from peers), a leaving source's channel
 *                          reports where it has applied to. Not a connection setting: a change does not rebuild.
 * @param clientCert        Replica Of: PEM chain presented to the source instead of this cluster's syncer certificate
 *                          ({@code client_cert}), or null
 * @param clientKeyId       where cert-service keeps {@code clientCert}'s key for this cluster, or null
 * @param credentialsId     where cert-service keeps the source's password for this cluster (then {@code password} is
 *                          null: it is fetched when connecting), or null
 */
public record ChannelSpec(
        String id,
        ChannelKind kind,
        String crdbGuid,
        long destinationBdbUid,
        String sourceHost,
        int sourcePort,
        String sourceCluster,
        Backend backend,
        boolean tls,
        String sni,
        String pinnedServerCert,
        String user,
        String password,
        boolean skipApplied,
        long rebuildCounter,
        String trustKey,
        long observedGeneration,
        org.redissync.events.CrdbConfigEvent.Membership sourceMembership,
        String clientCert,
        String clientKeyId,
        String credentialsId) {

    public ChannelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sourceHost, "sourceHost");
        Objects.requireNonNull(backend, "backend");
    }

    public ChannelSpec(String id, ChannelKind kind, String crdbGuid, long destinationBdbUid, String sourceHost, int sourcePort,
            String sourceCluster, Backend backend, boolean tls, String sni, String pinnedServerCert, String user, String password,
            boolean skipApplied, long rebuildCounter, String trustKey, long observedGeneration) {
        this(id, kind, crdbGuid, destinationBdbUid, sourceHost, sourcePort, sourceCluster, backend, tls, sni, pinnedServerCert, user,
                password, skipApplied, rebuildCounter, trustKey, observedGeneration, null, null, null, null);
    }

    public ChannelSpec(String id, ChannelKind kind, String crdbGuid, long destinationBdbUid, String sourceHost, int sourcePort,
            String sourceCluster, Backend backend, boolean tls, String sni, String pinnedServerCert, String user, String password,
            boolean skipApplied, long rebuildCounter, String trustKey, long observedGeneration,
            org.redissync.events.CrdbConfigEvent.Membership sourceMembership) {
        this(id, kind, crdbGuid, destinationBdbUid, sourceHost, sourcePort, sourceCluster, backend, tls, sni, pinnedServerCert, user,
                password, skipApplied, rebuildCounter, trustKey, observedGeneration, sourceMembership, null, null, null);
    }

    /** The source is a CRDB instance still joining: its data came from peers, its snapshot is not loaded. */
    public boolean sourceJoining() {
        return sourceMembership == org.redissync.events.CrdbConfigEvent.Membership.JOINING;
    }

    /** The source is a CRDB instance leaving: the channel reports where it has applied to. */
    public boolean sourceLeaving() {
        return sourceMembership == org.redissync.events.CrdbConfigEvent.Membership.LEAVING;
    }

    public String source() {
        return sourceHost + ":" + sourcePort;
    }

    /** Same connection settings: nothing to rebuild. */
    public boolean sameConnection(ChannelSpec o) {
        return o != null && withGeneration(0).withSourceMembership(null).equals(o.withGeneration(0).withSourceMembership(null));
    }

    public ChannelSpec withGeneration(long generation) {
        return new ChannelSpec(id, kind, crdbGuid, destinationBdbUid, sourceHost, sourcePort, sourceCluster, backend, tls,
                sni, pinnedServerCert, user, password, skipApplied, rebuildCounter, trustKey, generation, sourceMembership, clientCert,
                clientKeyId, credentialsId);
    }

    /** This spec as reported: its generation and the source's membership (neither is a connection setting). */
    public ChannelSpec withReported(ChannelSpec o) {
        return withGeneration(o.observedGeneration).withSourceMembership(o.sourceMembership);
    }

    public ChannelSpec withSourceMembership(org.redissync.events.CrdbConfigEvent.Membership m) {
        return new ChannelSpec(id, kind, crdbGuid, destinationBdbUid, sourceHost, sourcePort, sourceCluster, backend, tls,
                sni, pinnedServerCert, user, password, skipApplied, rebuildCounter, trustKey, observedGeneration, m, clientCert, clientKeyId,
                credentialsId);
    }

    public ChannelSpec withTrustKey(String key) {
        return new ChannelSpec(id, kind, crdbGuid, destinationBdbUid, sourceHost, sourcePort, sourceCluster, backend, tls,
                sni, pinnedServerCert, user, password, skipApplied, rebuildCounter, key, observedGeneration, sourceMembership, clientCert,
                clientKeyId, credentialsId);
    }

    @Override
    public String toString() {
        return "ChannelSpec[" + id + " from " + source() + (tls ? " tls" : " plaintext") + " -> " + backend
                + ", generation " + observedGeneration + (password != null ? ", password [hidden]" : "")
                + (clientKeyId != null ? ", client certificate " + clientKeyId : "")
                + (credentialsId != null ? ", password kept by cert-service" : "") + "]";
    }
}
