package org.redissync.coordinator.state;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.redissync.coordinator.bdb.BdbJson;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;

/**
 * Which syncer certificates each bdb must trust, derived, never typed in: the syncer certificates
 * (current and still-trusted predecessors) of every peer cluster of its CRDB, and of every cluster
 * that replicates from it with {@code encryption: true}. This is the copying Redis Enterprise asks
 * operators to do by hand. Pure: a function of the desired state and the published certificates.
 */
public final class TrustSets {

    private TrustSets() {
    }

    /** The {@code authentication_ssl_crdt_certs} bdb {@code b} should have. */
    public static List<String> crdtCerts(BdbConfigured b, Map<Long, BdbConfigured> bdbs, Map<String, CrdbConfigured> crdbs,
            Map<String, ClusterCertificateEvent> certificates, EndpointResolver resolver) {
        return crdtCerts(b, crdbs, certificates, encryptedReplicaOf(bdbs, resolver));
    }

    /**
     * For every bdb that is the source of an encrypted Replica Of, the clusters of its destinations: computed once for
     * all bdbs (per bdb, it made the trust of N bdbs an N² walk, the bulk of a CRDB update's CPU with 300 bdbs).
     */
    public static Map<Long, Set<String>> encryptedReplicaOf(Map<Long, BdbConfigured> bdbs, EndpointResolver resolver) {
        Map<Long, Set<String>> out = new java.util.HashMap<>();
        for (BdbConfigured d : bdbs.values()) {
            for (ReplicaSource s : d.replicaSources()) {
                if (s.encryption()) {
                    resolver.resolve(s.uri()).ifPresent(src -> out.computeIfAbsent(src.uid(), k -> new LinkedHashSet<>()).add(d.cluster()));
                }
            }
        }
        return out;
    }

    /** As above, with {@link #encryptedReplicaOf} computed by the caller. */
    public static List<String> crdtCerts(BdbConfigured b, Map<String, CrdbConfigured> crdbs, Map<String, ClusterCertificateEvent> certificates,
            Map<Long, Set<String>> encryptedReplicaOf) {
        Set<String> clusters = new LinkedHashSet<>();
        if (b.crdbGuid() != null) {
            CrdbConfigured c = crdbs.get(b.crdbGuid());
            if (c != null) {
                c.instances().stream().map(i -> i.cluster()).filter(cl -> !cl.equals(b.cluster())).forEach(clusters::add);
            }
        }
        clusters.addAll(encryptedReplicaOf.getOrDefault(b.uid(), Set.of()));
        List<String> out = new ArrayList<>();
        for (String cluster : clusters.stream().sorted().toList()) {
            syncerChains(cluster, certificates).forEach(out::add);
        }
        return out;
    }

    /** The syncer certificate chains of {@code cluster} that are trusted now (current first). */
    static List<String> syncerChains(String cluster, Map<String, ClusterCertificateEvent> certificates) {
        ClusterCertificateEvent e = certificates.get(ClusterCertificateEvent.key(cluster, CertRole.SYNCER));
        if (!(e instanceof RoleCertificatesPublished r)) {
            return List.of();
        }
        return r.trusted().stream().map(PublishedCertificate::chainPem).toList();
    }

    /** The current proxy certificate chain of {@code cluster}, if cert-service has published one. */
    public static Optional<String> proxyChain(String cluster, Map<String, ClusterCertificateEvent> certificates) {
        ClusterCertificateEvent e = certificates.get(ClusterCertificateEvent.key(cluster, CertRole.PROXY));
        return e instanceof RoleCertificatesPublished r ? Optional.of(r.current().chainPem()) : Optional.empty();
    }

    /** Finds the suite bdb behind a {@code redis://host:port} URI. */
    @FunctionalInterface
    public interface EndpointResolver {
        Optional<BdbConfigured> resolve(String uri);

        static EndpointResolver of(DesiredState state) {
            return uri -> {
                var u = BdbJson.parseRedisUri(uri);
                return u == null ? Optional.empty() : state.bdbAtEndpoint(u.getHost(), u.getPort());
            };
        }
    }
}
