package org.redissync.coordinator.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The API's request and response bodies as typed records, for {@code /q/openapi} (its schemas were empty: the
 * resources take {@code String} bodies and answer {@code ObjectNode}s, on purpose). The parsing stays where it is
 * ({@code BdbJson}, {@code CrdbService}): strict, every unknown field refused by name with RE's error body, which a
 * lenient binding to these records would not do. So these records describe; {@code ApiSchemasTest} holds them to the
 * parsers' field sets (a field added to one and not the other fails it).
 */
public final class ApiSchemas {

    private ApiSchemas() {
    }

    @Schema(description = "A client certificate entry: a leaf is pinned; a CA chain without a leaf trusts what it signed")
    public record ClientCert(@JsonProperty("client_cert") @Schema(description = "PEM") String clientCert) {
    }

    @Schema(description = "An authorized subject (seed: Full Subject Name / Subject Alternative Name); CN required")
    public record AuthorizedSubject(@JsonProperty("CN") String cn, @JsonProperty("O") String o,
            @JsonProperty("OU") @Schema(description = "a string or a list of strings") List<String> ou, @JsonProperty("L") String l,
            @JsonProperty("ST") String st, @JsonProperty("C") @Schema(description = "two letters") String c) {
    }

    @Schema(description = "A Replica Of source")
    public record ReplicaSource(
            @Schema(readOnly = true) Integer uid,
            @Schema(description = "redis://[user:password@]host:port", required = true) String uri,
            Boolean encryption,
            @JsonProperty("server_cert") @Schema(description = "PEM of the source cluster's proxy certificate") String serverCert,
            @JsonProperty("replication_tls_sni") String replicationTlsSni,
            @Schema(minimum = "0", maximum = "6") Integer compression,
            @JsonProperty("client_cert") @Schema(description = "PEM; default: this cluster's syncer certificate") String clientCert,
            @JsonProperty("client_key") @Schema(description = "PEM, with client_cert; never returned", writeOnly = true) String clientKey,
            @Schema(readOnly = true, enumeration = {"out-of-sync", "syncing", "in-sync"}) String status,
            @Schema(readOnly = true, description = "milliseconds") Long lag,
            @JsonProperty("last_error") @Schema(readOnly = true) String lastError,
            @JsonProperty("last_update") @Schema(readOnly = true) String lastUpdate) {
    }

    @Schema(description = "POST /v1/bdbs, PUT /v1/bdbs/{uid} (a partial body: only the fields given change). Any other field is "
            + "406 invalid_schema, named.")
    public record BdbRequest(
            String name,
            Integer port,
            @JsonProperty("memory_size") @Schema(description = "bytes") Long memorySize,
            @Schema(description = "the cluster (default: redissync.api.default-cluster)") String cluster,
            @Schema(description = "an operator's own Redis: host:port or unix:/path") String backend,
            @JsonProperty("tls_mode") @Schema(enumeration = {"disabled", "enabled", "replica_ssl"}) String tlsMode,
            @JsonProperty("enforce_client_authentication") @Schema(enumeration = {"enabled", "disabled"}) String enforceClientAuthentication,
            @JsonProperty("authentication_ssl_client_certs") List<ClientCert> authenticationSslClientCerts,
            @JsonProperty("client_cert_subject_validation_type") @Schema(enumeration = {"disabled", "san_cn", "full_subject"})
            String clientCertSubjectValidationType,
            @JsonProperty("authorized_subjects") List<AuthorizedSubject> authorizedSubjects,
            @JsonProperty("authorized_names") @Schema(deprecated = true, description = "CNs; translated to authorized_subjects")
            List<String> authorizedNames,
            @JsonProperty("mtls_allow_outdated_certs") Boolean mtlsAllowOutdatedCerts,
            @JsonProperty("mtls_allow_weak_hashing") Boolean mtlsAllowWeakHashing,
            @JsonProperty("replica_sources") List<ReplicaSource> replicaSources,
            @JsonProperty("replica_sync") @Schema(enumeration = {"disabled", "enabled", "paused", "stopped"}) String replicaSync,
            @JsonProperty("max_connections") Integer maxConnections,
            @JsonProperty("eviction_policy") @Schema(enumeration = {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
                "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) String evictionPolicy,
            @JsonProperty("data_persistence") @Schema(enumeration = {"disabled", "aof", "snapshot"}) String dataPersistence) {
    }

    @Schema(description = "A database endpoint")
    public record Endpoint(@JsonProperty("dns_name") String dnsName, List<String> addr, Integer port) {
    }

    @Schema(description = "A bdb, as GET /v1/bdbs/{uid} answers it: the request's fields and the read-only ones")
    public record Bdb(
            Long uid, String name, @Schema(readOnly = true, enumeration = "redis") String type, Integer port, @JsonProperty("memory_size") Long memorySize, String cluster, String backend,
            @JsonProperty("tls_mode") String tlsMode, @JsonProperty("enforce_client_authentication") String enforceClientAuthentication,
            @JsonProperty("authentication_ssl_client_certs") List<ClientCert> authenticationSslClientCerts,
            @JsonProperty("authentication_ssl_crdt_certs") @Schema(readOnly = true, description = "peer syncers' certificates of an "
                    + "Active-Active database, filled by the suite") List<ClientCert> authenticationSslCrdtCerts,
            @JsonProperty("client_cert_subject_validation_type") String clientCertSubjectValidationType,
            @JsonProperty("authorized_subjects") List<AuthorizedSubject> authorizedSubjects,
            @JsonProperty("authorized_names") List<String> authorizedNames,
            @JsonProperty("mtls_allow_outdated_certs") Boolean mtlsAllowOutdatedCerts,
            @JsonProperty("mtls_allow_weak_hashing") Boolean mtlsAllowWeakHashing,
            @JsonProperty("replica_sources") List<ReplicaSource> replicaSources, @JsonProperty("replica_sync") String replicaSync,
            @JsonProperty("max_connections") Integer maxConnections, @JsonProperty("eviction_policy") String evictionPolicy,
            @JsonProperty("data_persistence") String dataPersistence,
            @Schema(readOnly = true, enumeration = {"active", "active-change-pending", "pending"}) String status,
            @JsonProperty("status_reason") @Schema(readOnly = true) String statusReason,
            @Schema(readOnly = true) List<Endpoint> endpoints,
            @Schema(readOnly = true, description = "an instance of a CRDB") Boolean crdt,
            @JsonProperty("crdt_guid") @Schema(readOnly = true) String crdtGuid,
            @Schema(readOnly = true) Long generation,
            @Schema(readOnly = true, description = "the Redis version") String version) {
    }

    @Schema(description = "A CRDB's default_db_config, or an instance's db_config: the bdb fields an Active-Active database takes")
    public record DbConfig(
            String name, @JsonProperty("memory_size") Long memorySize, Integer port,
            @JsonProperty("eviction_policy") String evictionPolicy,
            @JsonProperty("tls_mode") @Schema(enumeration = {"disabled", "enabled", "replica_ssl"}) String tlsMode,
            @JsonProperty("enforce_client_authentication") @Schema(enumeration = {"enabled", "disabled"}) String enforceClientAuthentication,
            @JsonProperty("authentication_ssl_client_certs") List<ClientCert> authenticationSslClientCerts,
            @JsonProperty("client_cert_subject_validation_type") @Schema(enumeration = {"disabled", "san_cn", "full_subject"})
            String clientCertSubjectValidationType,
            @JsonProperty("authorized_subjects") List<AuthorizedSubject> authorizedSubjects,
            @JsonProperty("authorized_names") @Schema(deprecated = true) List<String> authorizedNames,
            @JsonProperty("mtls_allow_outdated_certs") Boolean mtlsAllowOutdatedCerts,
            @JsonProperty("mtls_allow_weak_hashing") Boolean mtlsAllowWeakHashing) {
    }

    @Schema(description = "A CRDB instance's cluster")
    public record InstanceCluster(String name, String url, @Schema(writeOnly = true) Object credentials,
            @JsonProperty("replication_endpoint") String replicationEndpoint,
            @JsonProperty("replication_tls_sni") String replicationTlsSni) {
    }

    @Schema(description = "A CRDB instance")
    public record CrdbInstance(@Schema(readOnly = true) Integer id, InstanceCluster cluster,
            @JsonProperty("db_config") DbConfig dbConfig, Integer compression,
            @JsonProperty("db_uid") @Schema(readOnly = true) Long dbUid,
            @Schema(readOnly = true, enumeration = {"joining", "leaving"}, description = "absent when active") String membership) {
    }

    @Schema(description = "POST /v1/crdbs: answers with the task")
    public record CrdbCreateRequest(String name, @JsonProperty("memory_size") Long memorySize, Boolean encryption,
            @JsonProperty("causal_consistency") Boolean causalConsistency,
            @JsonProperty("default_db_config") DbConfig defaultDbConfig, List<CrdbInstance> instances) {
    }

    @Schema(description = "PATCH /v1/crdbs/{guid} (and \"crdb\" of POST /v1/crdbs/{guid}/updates): answers with the task")
    public record CrdbUpdateRequest(Boolean encryption, @JsonProperty("default_db_config") DbConfig defaultDbConfig) {
    }

    @Schema(description = "A channel of a CRDB, as its destination's syncer-service reports it (not in RE's object)")
    public record Channel(String from, String to, @Schema(enumeration = {"out-of-sync", "syncing", "in-sync", "unknown"}) String status,
            @Schema(description = "milliseconds") Long lag, @JsonProperty("observed_generation") Long observedGeneration,
            @JsonProperty("last_update") String lastUpdate, @JsonProperty("last_error") String lastError, Object tls,
            @JsonProperty("full_resyncs") Long fullResyncs, @JsonProperty("partial_resyncs") Long partialResyncs) {
    }

    @Schema(description = "A CRDB (Active-Active database)")
    public record Crdb(String guid, String name, Boolean encryption, @JsonProperty("causal_consistency") Boolean causalConsistency,
            Long generation, @JsonProperty("default_db_config") DbConfig defaultDbConfig, List<CrdbInstance> instances,
            @JsonProperty("local_databases") List<Object> localDatabases, List<Channel> channels) {
    }

    @Schema(description = "A CRDB task (kept at least 500 s after it ended)")
    public record Task(String id, @JsonProperty("crdb_guid") String crdbGuid,
            @Schema(enumeration = {"create_crdb", "update_crdb", "delete_crdb", "add_instance", "remove_instance"}) String operation,
            @Schema(enumeration = {"queued", "started", "finished", "failed"}) String status,
            @JsonProperty("worker_name") String workerName, String started, String ended,
            @Schema(type = SchemaType.ARRAY, description = "{cluster_name, description, error_code}") List<Object> errors,
            Object progress) {
    }

    @Schema(description = "GET/PUT /v1/cluster: the TLS of every data connection (endpoints and channels), one set for the suite; "
            + "PUT takes any of them (a partial body)")
    public record ClusterSettings(
            @JsonProperty("min_data_TLS_version") @Schema(enumeration = {"1.2", "1.3"}) String minDataTlsVersion,
            @JsonProperty("data_cipher_list") @Schema(description = "TLS 1.2 suites, OpenSSL names separated by ':'") String dataCipherList,
            @JsonProperty("data_cipher_suites_tls_1_3") @Schema(description = "TLS 1.3 suites separated by ':'") String dataCipherSuitesTls13) {
    }

    @Schema(description = "Every refusal, RE's shape (description and message the same text), and ours: field")
    public record ErrorBody(@JsonProperty("error_code") String errorCode, String description, String message,
            @Schema(description = "the request field the refusal concerns, when it is one") String field) {
    }

    // ------------------------------------------------------------ /v1/cluster certificates (answered by cert-service)

    @Schema(description = "A cluster's current public certificate chains, PEM (null where none yet)")
    public record ClusterCertificates(@JsonProperty("proxy_cert") String proxyCert, @JsonProperty("syncer_cert") String syncerCert,
            @JsonProperty("api_cert") String apiCert) {
    }

    @Schema(description = "PUT /v1/cluster/update_cert: an operator-supplied certificate and its key")
    public record SuppliedCertificate(@Schema(required = true, enumeration = {"proxy", "syncer", "api"}) String name,
            @Schema(required = true, description = "PEM, leaf first") String certificate,
            @Schema(writeOnly = true, description = "PEM; kept by cert-service, never returned (absent: the role's current key)") String key,
            @Schema(description = "default: ?cluster= or the API's default cluster") String cluster) {
    }

    @Schema(description = "PUT /v1/cluster/certificates: several operator-supplied certificates, all taken or none")
    public record SuppliedCertificates(@Schema(required = true) List<SuppliedCertificate> certificates, String cluster) {
    }

    @Schema(description = "A certificate taken")
    public record CertificateTaken(@Schema(enumeration = {"proxy", "syncer", "api"}) String name, Long generation, String fingerprint,
            @JsonProperty("not_after") String notAfter) {
    }

    @Schema(description = "The certificates taken")
    public record CertificatesTaken(List<CertificateTaken> certificates) {
    }

    @Schema(description = "POST /v1/cluster/certificates/rotate: one role, or (an empty body) every role")
    public record Rotation(@Schema(enumeration = {"proxy", "syncer", "api"}) String name) {
    }

    @Schema(description = "What is being rotated")
    public record Rotating(@Schema(description = "the key of each certificate asked to rotate") List<String> rotating) {
    }
}
