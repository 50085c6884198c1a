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

        /** Whether an instance is joining or leaving (the CRDB takes no other change until that is done). */
        public boolean membershipChanging() {
            return instances.stream().anyMatch(i -> i.membership() != Membership.ACTIVE);
        }

        public java.util.Optional<Instance> instance(String cluster) {
            return instances.stream().filter(i -> i.cluster().equals(cluster)).findFirst();
        }
    }

    /**
     * One participating cluster's instance of the CRDB.
     *
     * @param membership where the instance is in joining or leaving the CRDB (absent in events from before membership
     *                   changes: {@link Membership#ACTIVE})
     */
    record Instance(
            int id,
            String cluster,
            long bdbUid,
            /** host:port where peers reach this instance's endpoint. */
            String replicationEndpoint,
            String replicationTlsSni,
            int compression,
            Membership membership) {

        public Instance {
            membership = membership == null ? Membership.ACTIVE : membership;
        }

        /** A founding (or fully joined) instance. */
        public Instance(int id, String cluster, long bdbUid, String replicationEndpoint, String replicationTlsSni, int compression) {
            this(id, cluster, bdbUid, replicationEndpoint, replicationTlsSni, compression, Membership.ACTIVE);
        }

        public Instance withMembership(Membership m) {
            return new Instance(id, cluster, bdbUid, replicationEndpoint, replicationTlsSni, compression, m);
        }
    }

    /**
     * An instance's part in a membership change ({@code crdb-cli crdb add-instance / remove-instance}, {@code add_instances} /
     * {@code remove_instances}). Both changes take two CRDB generations; the coordinator publishes the second once the
     * syncer-services report the first done (design: {@code docs/channels.md}, "Membership").
     */
    enum Membership {
        /** Takes and sends writes. */
        @com.fasterxml.jackson.annotation.JsonProperty("active") ACTIVE,
        /**
         * Added: it loads a peer's snapshot and its channels connect; its clients' writes are refused (its data is then
         * only what came from peers, so the peers' first contact with it takes no snapshot from it).
         */
        @com.fasterxml.jackson.annotation.JsonProperty("joining") JOINING,
        /**
         * Being removed: its clients' writes are refused, channels into it stop, channels out of it run until each peer
         * has applied everything it held when writes stopped; then it is removed.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("leaving") LEAVING
    }

    /** The CRDB was deleted; its instances (listed, so their teardown can be followed) are deleted on {@code bdb.config} too. */
    record CrdbDeleted(int version, String guid, long generation, List<Instance> instances, Instant deletedAt) implements CrdbConfigEvent {

        public static final int VERSION = 1;

        public CrdbDeleted {
            instances = instances == null ? List.of() : List.copyOf(instances);
        }
    }
}
