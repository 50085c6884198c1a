package org.redissync.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Topic {@code bdb.config} (compacted, key = bdb uid): the full desired state of each database
 * instance: where it lives, its endpoint's TLS rules and its Replica Of sources. Written only by
 * the coordinator; the syncer-service of {@link BdbConfigured#cluster()} acts on it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = BdbConfigEvent.BdbConfigured.class, name = "bdb_configured"),
        @JsonSubTypes.Type(value = BdbConfigEvent.BdbDeleted.class, name = "bdb_deleted")})
public sealed interface BdbConfigEvent extends SuiteEvent {

    long uid();

    long generation();

    @Override
    default String key() {
        return Long.toString(uid());
    }

    record BdbConfigured(
            int version,
            long uid,
            long generation,
            String name,
            /** The cluster the bdb lives on. */
            String cluster,
            /** The client endpoint's port. */
            int port,
            /**
             * An external Redis the operator runs: {@code host:port}, or {@code unix:/path} of a socket on the syncer's host
             * ({@link RedisAddress}). Null: the cluster's syncer-service runs the bdb's own redis-server (RE's shard).
             */
            String backend,
            long memorySize,
            /** The CRDB this bdb is an instance of, or null. */
            String crdbGuid,
            Tls tls,
            List<ReplicaSource> replicaSources,
            /** {@code disabled} · {@code enabled} · {@code paused} · {@code stopped}. */
            String replicaSync,
            Instant updatedAt,
            /** RE's {@code max_connections}: client connections the endpoint accepts at once; 0 (and absent, in older events) is no limit. */
            int maxConnections,
            /**
             * RE's {@code eviction_policy} ({@code volatile-lru}, {@code noeviction}, …); null in older events: RE's default,
             * {@code noeviction} for a CRDB instance, else {@code volatile-lru} ({@link #effectiveEvictionPolicy}).
             */
            String evictionPolicy,
            /** RE's {@code data_persistence}: {@code disabled}, {@code aof} or {@code snapshot}; null in older events: disabled. */
            String dataPersistence) implements BdbConfigEvent {

        public static final int VERSION = 1;

        public BdbConfigured {
            Objects.requireNonNull(cluster, "cluster");
            replicaSources = replicaSources == null ? List.of() : List.copyOf(replicaSources);
            if (maxConnections < 0) {
                throw new IllegalArgumentException("maxConnections < 0");
            }
        }

        /** A bdb with RE's default eviction policy and no persistence. */
        public BdbConfigured(int version, long uid, long generation, String name, String cluster, int port, String backend, long memorySize,
                String crdbGuid, Tls tls, List<ReplicaSource> replicaSources, String replicaSync, Instant updatedAt, int maxConnections) {
            this(version, uid, generation, name, cluster, port, backend, memorySize, crdbGuid, tls, replicaSources, replicaSync, updatedAt,
                    maxConnections, null, null);
        }

        /** The eviction policy in force: the one set, else RE's default for the bdb's kind. */
        public String effectiveEvictionPolicy() {
            return evictionPolicy != null ? evictionPolicy : crdbGuid != null ? "noeviction" : "volatile-lru";
        }

        /** The persistence in force: the one set, else {@code disabled}. */
        public String effectiveDataPersistence() {
            return dataPersistence != null ? dataPersistence : "disabled";
        }

        /** The syncer-service runs this bdb's redis-server (no external {@link #backend}). */
        public boolean managed() {
            return backend == null;
        }

        /** A bdb without a connection limit. */
        public BdbConfigured(int version, long uid, long generation, String name, String cluster, int port, String backend, long memorySize,
                String crdbGuid, Tls tls, List<ReplicaSource> replicaSources, String replicaSync, Instant updatedAt) {
            this(version, uid, generation, name, cluster, port, backend, memorySize, crdbGuid, tls, replicaSources, replicaSync, updatedAt, 0);
        }
    }

    /** The endpoint's TLS rules (RE's bdb TLS fields, after defaults and translations). */
    record Tls(
            TlsMode tlsMode,
            boolean enforceClientAuthentication,
            /** PEMs from {@code authentication_ssl_client_certs}: a leaf is pinned, a CA chain trusts what it signed. */
            List<String> clientCerts,
            /** PEMs from {@code authentication_ssl_crdt_certs}: peer syncer certificates. */
            List<String> crdtCerts,
            SubjectValidation subjectValidation,
            List<AuthorizedSubject> authorizedSubjects,
            boolean allowOutdatedCerts,
            boolean allowWeakHashing) {

        public Tls {
            clientCerts = clientCerts == null ? List.of() : List.copyOf(clientCerts);
            crdtCerts = crdtCerts == null ? List.of() : List.copyOf(crdtCerts);
            authorizedSubjects = authorizedSubjects == null ? List.of() : List.copyOf(authorizedSubjects);
        }

        public static Tls disabled() {
            return new Tls(TlsMode.DISABLED, true, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false, false);
        }
    }

    /** One entry of {@code authorized_subjects}; only {@code cn} is required. */
    record AuthorizedSubject(String cn, String o, List<String> ou, String l, String st, String c) {
        public AuthorizedSubject {
            ou = ou == null ? List.of() : List.copyOf(ou);
        }
    }

    /** One Replica Of source. Never carries a private key: the syncer certificate is the cluster's own. */
    record ReplicaSource(
            int uid,
            String uri,
            boolean encryption,
            /** PEM of the source cluster's proxy certificate (pinned), or null to use the source cluster's current one. */
            String serverCert,
            String replicationTlsSni,
            int compression,
            /**
             * PEM chain the destination presents to this source instead of its cluster's syncer certificate (RE's
             * {@code client_cert}), or null. Its key is never here: cert-service keeps it and gives it to the
             * destination cluster's syncer-service only, under {@link #clientKeyId}.
             */
            String clientCert,
            /** Where cert-service keeps {@link #clientCert}'s key ({@code GET /v1/cluster/client_keys/<id>} over TLS), or null. */
            String clientKeyId,
            /**
             * Where cert-service keeps the password of {@link #uri} ({@code GET /v1/cluster/secrets/<id>} over TLS), or null.
             * With it, the URI's password reads {@code ********}: the password itself is never on this topic.
             */
            String credentialsId) {

        public ReplicaSource(int uid, String uri, boolean encryption, String serverCert, String replicationTlsSni, int compression) {
            this(uid, uri, encryption, serverCert, replicationTlsSni, compression, null, null, null);
        }

        public ReplicaSource(int uid, String uri, boolean encryption, String serverCert, String replicationTlsSni, int compression,
                String clientCert, String clientKeyId) {
            this(uid, uri, encryption, serverCert, replicationTlsSni, compression, clientCert, clientKeyId, null);
        }

        /** What a URI's password reads once it is kept out of the desired state. */
        public static final String MASKED = "********";
    }

    record BdbDeleted(int version, long uid, long generation, String cluster, Instant deletedAt) implements BdbConfigEvent {

        public static final int VERSION = 1;
    }
}
