package org.redissync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.redissync.events.SyncerStatusEvent.SyncerHeartbeat;

class SyncerHeartbeatTest {

    static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    static Map<String, SyncerStatusEvent> beatAt(Instant at) {
        return Map.of(SyncerHeartbeat.key("cluster-b"), new SyncerHeartbeat(SyncerHeartbeat.VERSION, "cluster-b", at, Duration.ofSeconds(2), at));
    }

    @Test
    void aSyncerServiceIsSilentOnceItMissedThreeBeats() {
        assertThat(SyncerHeartbeat.staleFor(beatAt(NOW.minusSeconds(5)), "cluster-b", NOW)).isEmpty();
        assertThat(SyncerHeartbeat.staleFor(beatAt(NOW.minusSeconds(6)), "cluster-b", NOW)).isEmpty();
        assertThat(SyncerHeartbeat.staleFor(beatAt(NOW.minusMillis(6001)), "cluster-b", NOW)).contains(Duration.ofMillis(6001));
        assertThat(SyncerHeartbeat.silence(beatAt(NOW.minusSeconds(42)), "cluster-b", NOW))
                .contains("the syncer-service of cluster-b has not reported for 42 s (since 2026-12-05T11:59:18Z)");
    }

    @Test
    void aClusterThatNeverBeatIsNotJudged() {
        assertThat(SyncerHeartbeat.staleFor(beatAt(NOW.minusSeconds(60)), "cluster-a", NOW)).isEmpty();
        assertThat(SyncerHeartbeat.staleFor(Map.of(), "cluster-b", NOW)).isEmpty();
    }
}
