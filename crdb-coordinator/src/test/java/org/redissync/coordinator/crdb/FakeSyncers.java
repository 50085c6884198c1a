package org.redissync.coordinator.crdb;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.redissync.events.SuiteEvent;
import org.redissync.events.SyncState;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelKind;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.SyncerStatusEvent.TlsFacts;
import org.redissync.events.TlsMode;
import org.redissync.events.kafka.EventPublisher;

/**
 * Stands in for the syncer-services in coordinator service tests: publishes the status events they
 * would, on the real broker. (The real syncer-services are tested end to end in their own module.)
 */
public final class FakeSyncers {

    private final EventPublisher publisher;

    public FakeSyncers(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** The bdb's endpoint listening at {@code generation}, and its redis-server (which the syncer-service runs) up. */
    void endpoint(String cluster, long uid, long generation, TlsMode mode) {
        send(new ShardStatus(ShardStatus.VERSION, cluster, uid, generation, ShardState.RUNNING, null, 4242, 0, Instant.now()));
        send(new EndpointStatus(EndpointStatus.VERSION, cluster, uid, generation, mode, 12000, true, null, Instant.now()));
    }

    /** Only the bdb's endpoint, listening at {@code generation} (plaintext). */
    public void endpointStatus(String cluster, long uid, long generation) {
        send(new EndpointStatus(EndpointStatus.VERSION, cluster, uid, generation, TlsMode.DISABLED, 12000, true, null, Instant.now()));
    }

    /** The bdb's redis-server in {@code state} (the syncer-service runs it). */
    public void shard(String cluster, long uid, long generation, ShardState state, String error, long restarts) {
        send(new ShardStatus(ShardStatus.VERSION, cluster, uid, generation, state, error, state == ShardState.RUNNING ? 4242 : 0, restarts,
                Instant.now()));
    }

    void channel(String guid, String from, String to, long destinationUid, long generation, SyncState state, boolean tls) {
        send(new ChannelStatus(ChannelStatus.VERSION, to, SyncerStatusEvent.crdbChannelId(guid, from, to), ChannelKind.CRDB, guid,
                destinationUid, "127.0.0.1:1", generation, state, 3, null,
                tls ? new TlsFacts(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=proxy." + from, Instant.now().plusSeconds(3600))
                        : TlsFacts.plaintext(),
                1, 0, false, Instant.now()));
    }

    /** The bdb's redis-server running with its clients' writes paused at {@code offset} of stream {@code replId}. */
    void writesPaused(String cluster, long uid, long generation, long crdbGeneration, String replId, long offset) {
        send(new ShardStatus(ShardStatus.VERSION, cluster, uid, generation, ShardState.RUNNING, null, 4242, 0, Instant.now(),
                new SyncerStatusEvent.WritesPaused(crdbGeneration, new SyncerStatusEvent.StreamPosition(replId, offset))));
    }

    /** A CRDB channel from a leaving instance, applied up to {@code offset} of {@code replId}. */
    void draining(String guid, String from, String to, long destinationUid, long generation, String replId, long offset) {
        send(new ChannelStatus(ChannelStatus.VERSION, to, SyncerStatusEvent.crdbChannelId(guid, from, to), ChannelKind.CRDB, guid,
                destinationUid, "127.0.0.1:1", generation, SyncState.IN_SYNC, 0, null, TlsFacts.plaintext(), 1, 0, false, Instant.now(),
                new SyncerStatusEvent.StreamPosition(replId, offset)));
    }

    /** {@code cluster}'s syncer-service saying it is alive, as of {@code at}. */
    public void heartbeat(String cluster, Instant at) {
        send(new SyncerStatusEvent.SyncerHeartbeat(SyncerStatusEvent.SyncerHeartbeat.VERSION, cluster, at, java.time.Duration.ofSeconds(2),
                at.minusSeconds(600)));
    }

    /** A Replica Of channel's status, as the destination's syncer-service reports it. */
    public void replicaOf(String cluster, long destinationUid, int sourceUid, long generation, SyncState state, String error, boolean stopped) {
        send(new ChannelStatus(ChannelStatus.VERSION, cluster, SyncerStatusEvent.replicaOfChannelId(destinationUid, sourceUid),
                ChannelKind.REPLICA_OF, null, destinationUid, "127.0.0.1:1", generation, state, 0, error, TlsFacts.plaintext(), 1, 0, stopped,
                Instant.now()));
    }

    private void send(SuiteEvent e) {
        try {
            publisher.publish(e).get(10, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }
}
