package org.redissync.syncer.channel;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.redissync.events.RedisAddress;
import org.redissync.syncer.shard.Backend;
import java.util.function.Function;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelKind;

/**
 * The channels this cluster must run, from the desired state alone (pure: the same input always
 * gives the same plan). CRDB: one channel from every peer instance into the local instance, on TLS when the CRDB
 * has encryption on or the peer instance's {@code tls_mode} is not {@code disabled}; none into a leaving instance.
 * Replica Of: one channel from every source of every local destination whose {@code replica_sync}
 * is enabled.
 */
public final class ChannelPlanner {

    private ChannelPlanner() {
    }

    /**
     * The channels to run, and the local bdbs whose channels could not be planned because their
     * desired state does not parse (the coordinator validates it, so only a foreign event can do this):
     * one such bdb does not hold up the others, and its running channels are left as they are.
     */
    public record Plan(Map<String, ChannelSpec> channels, Map<Long, String> unplanned) {
    }

    public static Plan plan(String cluster, Collection<CrdbConfigured> crdbs, Map<Long, BdbConfigured> bdbs) {
        return plan(cluster, crdbs, bdbs, b -> Backend.external(RedisAddress.parse(b.backend())));
    }

    /** @param backends where each local bdb's data lives (its shard, or its external Redis) */
    public static Plan plan(String cluster, Collection<CrdbConfigured> crdbs, Map<Long, BdbConfigured> bdbs,
            Function<BdbConfigured, Backend> backends) {
        Map<String, ChannelSpec> out = new LinkedHashMap<>();
        Map<Long, String> unplanned = new LinkedHashMap<>();
        for (CrdbConfigured crdb : crdbs) {
            Optional<Instance> local = crdb.instances().stream().filter(i -> i.cluster().equals(cluster)).findFirst();
            if (local.isEmpty()) {
                continue;
            }
            BdbConfigured destination = bdbs.get(local.get().bdbUid());
            if (destination == null || local.get().membership() == CrdbConfigEvent.Membership.LEAVING) {
                continue; // a leaving instance takes no more writes from peers; its own still flow out until it is removed
            }
            Map<String, ChannelSpec> mine = new LinkedHashMap<>();
            try {
                Backend backend = backends.apply(destination);
                for (Instance peer : crdb.instances()) {
                    if (peer.cluster().equals(cluster) || peer.replicationEndpoint() == null) {
                        continue;
                    }
                    RedisAddress source = replicationEndpoint(peer);
                    String id = SyncerStatusEvent.crdbChannelId(crdb.guid(), peer.cluster(), cluster);
                    mine.put(id, new ChannelSpec(id, ChannelKind.CRDB, crdb.guid(), destination.uid(), source.host(), source.port(),
                            peer.cluster(), backend, crdb.channelTls(bdbs.get(peer.bdbUid())), blankToNull(peer.replicationTlsSni()), null, null, null, true,
                            crdb.forceCounter(), "", crdb.generation(), peer.membership()));
                }
                out.putAll(mine);
            } catch (IllegalArgumentException e) {
                unplanned.put(destination.uid(), "crdb " + crdb.guid() + ": " + e.getMessage());
            }
        }
        for (BdbConfigured destination : bdbs.values()) {
            if (!destination.cluster().equals(cluster) || destination.replicaSources().isEmpty() || !syncEnabled(destination.replicaSync())) {
                continue;
            }
            Map<String, ChannelSpec> mine = new LinkedHashMap<>();
            try {
                Backend backend = backends.apply(destination);
                for (ReplicaSource s : destination.replicaSources()) {
                    RedisUri uri;
                    try {
                        uri = RedisUri.parse(s.uri());
                    } catch (IllegalArgumentException e) { // its message may quote the URI, password included
                        throw new IllegalArgumentException("replica source " + s.uid() + ": not a redis://[user:password@]host:port URI");
                    }
                    String sourceCluster = bdbs.values().stream().filter(b -> b.port() == uri.port() && b.uid() != destination.uid())
                            .map(BdbConfigured::cluster).findFirst().orElse(null);
                    String id = SyncerStatusEvent.replicaOfChannelId(destination.uid(), s.uid());
                    mine.put(id, new ChannelSpec(id, ChannelKind.REPLICA_OF, null, destination.uid(), uri.host(), uri.port(), sourceCluster,
                            backend, s.encryption(), blankToNull(s.replicationTlsSni()), blankToNull(s.serverCert()),
                            uri.user(), s.credentialsId() != null ? null : uri.password(), false, 0, "", destination.generation(), null,
                            blankToNull(s.clientCert()), blankToNull(s.clientKeyId()), blankToNull(s.credentialsId())));
                }
                out.putAll(mine);
            } catch (IllegalArgumentException e) {
                unplanned.put(destination.uid(), e.getMessage());
            }
        }
        return new Plan(out, unplanned);
    }

    /** RE's {@code replica_sync}: channels run when it is {@code enabled} (or unset with sources). */
    static boolean syncEnabled(String replicaSync) {
        return replicaSync == null || replicaSync.equals("enabled");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static RedisAddress replicationEndpoint(Instance peer) {
        try {
            return RedisAddress.parseTcp(peer.replicationEndpoint());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster " + peer.cluster() + "'s replication_endpoint " + peer.replicationEndpoint()
                    + ": " + e.getMessage());
        }
    }

    /** {@code redis://[[user]:password@]host:port} (RE's Replica Of source URI; the coordinator validated it). */
    record RedisUri(String host, int port, String user, String password) {
        static RedisUri parse(String uri) {
            URI u = URI.create(uri);
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String info = u.getRawUserInfo();
                int colon = info.indexOf(':');
                String rawUser = colon < 0 ? "" : info.substring(0, colon);
                String rawPass = colon < 0 ? info : info.substring(colon + 1);
                user = rawUser.isEmpty() ? null : URLDecoder.decode(rawUser, StandardCharsets.UTF_8);
                password = rawPass.isEmpty() ? null : URLDecoder.decode(rawPass, StandardCharsets.UTF_8);
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return new RedisUri(u.getHost(), u.getPort() > 0 ? u.getPort() : 6379, user, password);
        }
    }
}
