package org.redissync.events;

import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Topic {@code syncer.status} (compacted): what each syncer-service has applied. Key
 * {@code <cluster>/channel/<channel id>}, {@code <cluster>/endpoint/<bdb uid>}, {@code <cluster>/shard/<bdb uid>} or
 * {@code <cluster>/syncer} (its heartbeat). The coordinator finishes tasks from these, and trusts them only while the
 * heartbeat is fresh.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SyncerStatusEvent.ChannelStatus.class, name = "channel_status"),
        @JsonSubTypes.Type(value = SyncerStatusEvent.EndpointStatus.class, name = "endpoint_status"),
        @JsonSubTypes.Type(value = SyncerStatusEvent.ShardStatus.class, name = "shard_status"),
        @JsonSubTypes.Type(value = SyncerStatusEvent.SyncerHeartbeat.class, name = "syncer_heartbeat")})
public sealed interface SyncerStatusEvent extends SuiteEvent {

    String cluster();

    /** The generation of the desired state (CRDB or bdb) this status reflects. */
    long observedGeneration();

    /** The key of a channel's status record: the destination cluster and the channel's id (the one place it is spelt). */
    static String channelKey(String cluster, String channelId) {
        return cluster + "/channel/" + channelId;
    }

    /** The id of the channel that pulls CRDB {@code guid}'s instance on {@code fromCluster} into {@code toCluster}. */
    static String crdbChannelId(String guid, String fromCluster, String toCluster) {
        return guid + "/" + fromCluster + "->" + toCluster;
    }

    /** The id of the channel that pulls Replica Of source {@code sourceUid} into bdb {@code destinationUid}. */
    static String replicaOfChannelId(long destinationUid, int sourceUid) {
        return "bdb:" + destinationUid + "/source:" + sourceUid;
    }

    enum ChannelKind {
        @JsonProperty("crdb") CRDB,
        @JsonProperty("replica_of") REPLICA_OF
    }

    /** One channel: (this cluster, source bdb) → local destination bdb. */
    record ChannelStatus(
            int version,
            String cluster,
            String channelId,
            ChannelKind kind,
            /** The CRDB guid for {@code crdb} channels, else null. */
            String crdbGuid,
            long destinationBdbUid,
            /** The source's endpoint, host:port. */
            String source,
            long observedGeneration,
            SyncState state,
            long lagMs,
            String lastError,
            TlsFacts tls,
            long fullResyncs,
            long partialResyncs,
            /** An unrecoverable error (authentication refused, the local backend refusing writes): no retries until the config changes. */
            boolean stopped,
            Instant updatedAt,
            /**
             * Where in the source's stream everything is applied (or skipped as another channel's): reported only
             * while the source instance is leaving its CRDB, for the coordinator to see it drained; else null.
             */
            StreamPosition appliedTo) implements SyncerStatusEvent {

        public static final int VERSION = 1;

        public ChannelStatus {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(channelId, "channelId");
        }

        public ChannelStatus(int version, String cluster, String channelId, ChannelKind kind, String crdbGuid, long destinationBdbUid,
                String source, long observedGeneration, SyncState state, long lagMs, String lastError, TlsFacts tls, long fullResyncs,
                long partialResyncs, boolean stopped, Instant updatedAt) {
            this(version, cluster, channelId, kind, crdbGuid, destinationBdbUid, source, observedGeneration, state, lagMs, lastError, tls,
                    fullResyncs, partialResyncs, stopped, updatedAt, null);
        }

        @Override
        public String key() {
            return SyncerStatusEvent.channelKey(cluster, channelId);
        }
    }

    /** A place in a Redis replication stream: its replication id and offset. */
    record StreamPosition(String replId, long offset) {

        /** Whether this is at or past {@code o} in the same stream. */
        public boolean reached(StreamPosition o) {
            return o != null && replId != null && replId.equals(o.replId()) && offset >= o.offset();
        }
    }

    /** A shard whose clients' writes are refused while its CRDB instance joins or leaves, and where its stream stood then. */
    record WritesPaused(long crdbGeneration, StreamPosition at) {
    }

    /** TLS facts of a live channel connection; {@code enabled=false} for plaintext. */
    record TlsFacts(boolean enabled, String protocol, String cipher, String peerSubject, Instant peerNotAfter) {

        public static TlsFacts plaintext() {
            return new TlsFacts(false, null, null, null, null);
        }
    }

    /** A bdb's client endpoint as the syncer-service runs it. */
    record EndpointStatus(
            int version,
            String cluster,
            long bdbUid,
            long observedGeneration,
            TlsMode tlsMode,
            int port,
            boolean listening,
            String lastError,
            Instant updatedAt) implements SyncerStatusEvent {

        public static final int VERSION = 1;

        @Override
        public String key() {
            return cluster + "/endpoint/" + bdbUid;
        }
    }

    /** What a bdb's redis-server (its shard, in RE's words) is doing. */
    enum ShardState {
        /** Being started (first start, or a change that needs one). */
        @JsonProperty("starting") STARTING,
        /** Up, and at {@code observedGeneration}'s settings. */
        @JsonProperty("running") RUNNING,
        /** It died and is being restarted (with backoff). */
        @JsonProperty("recovering") RECOVERING,
        /** It cannot be started; {@code lastError} says why. Retried with backoff. */
        @JsonProperty("failed") FAILED,
        /** Stopped and wiped (its bdb was deleted). */
        @JsonProperty("deleted") DELETED
    }

    /**
     * A bdb's own redis-server, run by the syncer-service of its cluster (not reported for a bdb with an external
     * {@code backend}).
     */
    record ShardStatus(
            int version,
            String cluster,
            long bdbUid,
            long observedGeneration,
            ShardState state,
            String lastError,
            /** The redis-server's process id, 0 when none runs. */
            long pid,
            /** Restarts after the process died, since the syncer-service started. */
            long restarts,
            Instant updatedAt,
            /** Set while its CRDB instance joins or leaves: clients' writes refused since that stream position; else null. */
            WritesPaused writesPaused) implements SyncerStatusEvent {

        public static final int VERSION = 1;

        public ShardStatus {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(state, "state");
        }

        public ShardStatus(int version, String cluster, long bdbUid, long observedGeneration, ShardState state, String lastError, long pid,
                long restarts, Instant updatedAt) {
            this(version, cluster, bdbUid, observedGeneration, state, lastError, pid, restarts, updatedAt, null);
        }

        @Override
        public String key() {
            return cluster + "/shard/" + bdbUid;
        }
    }

    /**
     * Published by each syncer-service every {@code interval}, whether or not anything changed: the other reports of
     * its cluster are current only while this is ({@link #staleFor}). Compared with the reader's clock, so the
     * clocks of the hosts must agree to well within an interval (NTP).
     */
    record SyncerHeartbeat(
            int version,
            String cluster,
            Instant at,
            java.time.Duration interval,
            Instant startedAt) implements SyncerStatusEvent {

        public static final int VERSION = 1;

        /** Heartbeats missed before a syncer-service is taken for silent. */
        public static final int MISSED = 3;

        public SyncerHeartbeat {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(interval, "interval");
        }

        public static String key(String cluster) {
            return cluster + "/syncer";
        }

        @Override
        public String key() {
            return key(cluster);
        }

        @Override
        public long observedGeneration() {
            return 0;
        }

        /**
         * How long {@code cluster}'s syncer-service has been silent, when it has missed {@link #MISSED} heartbeats by
         * {@code now}; empty while it reports (or when it never has: then nothing of it is reported either).
         */
        public static java.util.Optional<java.time.Duration> staleFor(java.util.Map<String, ? extends SyncerStatusEvent> status,
                String cluster, Instant now) {
            if (!(status.get(key(cluster)) instanceof SyncerHeartbeat h)) {
                return java.util.Optional.empty();
            }
            java.time.Duration age = java.time.Duration.between(h.at(), now);
            return age.compareTo(h.interval().multipliedBy(MISSED)) > 0 ? java.util.Optional.of(age) : java.util.Optional.empty();
        }

        /** "the syncer-service of cluster-b has not reported for 12 s", when it has not ({@link #staleFor}). */
        public static java.util.Optional<String> silence(java.util.Map<String, ? extends SyncerStatusEvent> status, String cluster,
                Instant now) {
            return staleFor(status, cluster, now).map(d -> "the syncer-service of " + cluster + " has not reported for " + d.toSeconds()
                    + " s (since " + ((SyncerHeartbeat) status.get(key(cluster))).at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ")");
        }
    }
}
