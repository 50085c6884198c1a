package org.redissync.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Topic {@code crdb.config} (compacted, key = CRDB guid): the full desired state of each
 * Active-Active database. Written only by the coordinator.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CrdbConfigEvent.CrdbConfigured.class, name = "crdb_configured"),
        @JsonSubTypes.Type(value = CrdbConfigEvent.CrdbDeleted.class, name = "crdb_deleted")})
public sealed interface CrdbConfigEvent extends SuiteEvent {

    String guid();

    /** Bumped by every accepted change of the CRDB. */
    long generation();

    @Override
    default String key() {
        return guid();
    }

    /** The CRDB exists with this configuration. */
    record CrdbConfigured(
            int version,
            String guid,
            long generation,
            String name,
            boolean encryption,
            boolean causalConsistency,
            Map<String, Object> defaultDbConfig,
            List<Instance> instances,
            /** Bumped by {@code crdb-cli crdb update --force}: channels rebuild even if nothing else changed. */
            long forceCounter,
            Instant updatedAt) implements CrdbConfigEvent {

        public static final int VERSION = 1;

        public CrdbConfigured {
            Objects.requireNonNull(guid, "guid");
            defaultDbConfig = defaultDbConfig == null ? Map.of() : Map.copyOf(defaultDbConfig);
            instances = instances == null ? List.of() : List.copyOf(instances);
        }

        /**
         * Whether the channel that pulls from the instance whose bdb is {@code source} uses mutual TLS: when the CRDB has
         * {@code encryption} on, or that instance's {@code tls_mode} is {@code replica_ssl} or {@code enabled} (the seed's
         * REST path: {@code PUT /v1/bdbs/<id>} with {@code tls_mode} on each instance). The coordinator keeps
         * {@code encryption} true exactly when every instance is at least {@code replica_ssl}.
         */
        public boolean channelTls(BdbConfigEvent.BdbConfigured source) {
            return encryption || source != null && source.tls() != null && source.tls().tlsMode() != TlsMode.DISABLED;
        }
    }

    /** One participating cluster's instance of the CRDB. */
    record Instance(
            int id,
            String cluster,
            long bdbUid,
            /** host:port where peers reach this instance's endpoint. */
            String replicationEndpoint,
            String replicationTlsSni,
            int compression) {
    }

    /** The CRDB was deleted; its instances (listed, so their teardown can be followed) are deleted on {@code bdb.config} too. */
    record CrdbDeleted(int version, String guid, long generation, List<Instance> instances, Instant deletedAt) implements CrdbConfigEvent {

        public static final int VERSION = 1;

        public CrdbDeleted {
            instances = instances == null ? List.of() : List.copyOf(instances);
        }
    }
}
