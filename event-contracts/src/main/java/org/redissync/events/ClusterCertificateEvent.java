package org.redissync.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Topic {@code cluster.certificates} (compacted): the public certificates of the suite. Key
 * {@code <cluster>/<role>} for a cluster's certificate, {@code ca} for the certificate authority.
 * Public parts only: a private key never goes on Kafka.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClusterCertificateEvent.RoleCertificatesPublished.class, name = "role_certificates_published"),
        @JsonSubTypes.Type(value = ClusterCertificateEvent.CaPublished.class, name = "ca_published")})
public sealed interface ClusterCertificateEvent extends SuiteEvent {

    long generation();

    static String key(String cluster, CertRole role) {
        return cluster + "/" + role.wire();
    }

    /** A cluster role's current certificate and every one still trusted (predecessors in their overlap window). */
    record RoleCertificatesPublished(
            int version,
            String cluster,
            CertRole role,
            /** Bumped at every issuance or replacement for this cluster and role. */
            long generation,
            PublishedCertificate current,
            /** Includes {@code current}; predecessors stay until they are unused everywhere or expire. */
            List<PublishedCertificate> trusted,
            /** True when the operator supplied it ({@code update_cert}) rather than the suite's CA. */
            boolean operatorSupplied,
            /** Bumped by {@code POST /v1/cluster/certificates/rotate}: the owner re-keys and asks for a new certificate. */
            long rotationRequests,
            Instant publishedAt) implements ClusterCertificateEvent {

        public static final int VERSION = 1;

        public RoleCertificatesPublished {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(role, "role");
            trusted = trusted == null ? List.of() : List.copyOf(trusted);
        }

        @Override
        public String key() {
            return ClusterCertificateEvent.key(cluster, role);
        }
    }

    /** The suite's certificate authority (the trust anchor for proxy, syncer and api certificates). */
    record CaPublished(
            int version,
            long generation,
            PublishedCertificate current,
            List<PublishedCertificate> trusted,
            Instant publishedAt) implements ClusterCertificateEvent {

        public static final int VERSION = 1;
        public static final String KEY = "ca";

        public CaPublished {
            trusted = trusted == null ? List.of() : List.copyOf(trusted);
        }

        @Override
        public String key() {
            return KEY;
        }
    }

    /** One certificate chain (leaf first) and the facts a consumer needs without parsing it. */
    record PublishedCertificate(
            String chainPem,
            String fingerprintSha256,
            String subject,
            String serial,
            Instant notBefore,
            Instant notAfter,
            /** For a predecessor: when it stops being trusted (end of the overlap window); null for the current one. */
            Instant trustedUntil) {
    }
}
