package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.events.TlsMode;
import org.redissync.testing.RedisServer;
import org.redissync.testing.SharedKafka;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.syncer.resp.Requests;

/**
 * Clients that never read their replies, against small output limits (4 MiB hard, 1 MiB soft for 1 s): memory stays
 * flat, other clients are served as before, and the hogs are disconnected with a log line and a counter.
 */
@QuarkusTest
@TestProfile(EndpointOutputLimitIT.SmallLimits.class)
@WithTestResource(value = EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class EndpointOutputLimitIT {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("redissync.cluster.client-output-buffer-limit.hard", "4194304",
                    "redissync.cluster.client-output-buffer-limit.soft", "1048576",
                    "redissync.cluster.client-output-buffer-limit.soft-time", "1s");
        }
    }

    static RedisServer behind;

    @Inject
    SyncerEvents events;

    @Inject
    EndpointManager manager;

    @Inject
    EndpointMetrics metrics;

    @BeforeAll
    static void redis() throws Exception {
        behind = RedisServer.start(SharedKafka.workDir().resolve("limits-behind-" + System.nanoTime()), 0, false, List.of());
    }

    @AfterAll
    static void stop() {
        behind.close();
    }

    @Test
    void clientsThatNeverReadAreDisconnectedWhileMemoryStaysFlatAndOthersAreServed() throws Exception {
        TestBdbs.Bdb b = TestBdbs.open(events, manager, behind.localAddress(), TestBdbs.tls(TlsMode.DISABLED), 0);
        long uid = b.uid();
        int port = b.port();
        String key = "big:" + uid;
        EndpointSafetyIT.direct(behind, "SET", key, "v".repeat(1 << 20));
        // One hog of each kind first, unmeasured: the first run of these paths is interpreted code (~350 ms for a ping then).
        hog(uid, port, key, 2000, 1);
        hog(uid, port, key, 12, 2);
        System.gc();
        long before = EndpointSafetyIT.used();
        Duration slowest = EndpointSafetyIT.whilePinged(b, () -> {
            for (int round = 2; round < 6; round++) {
                // round 0, 2: a deep pipeline (its own connection after 16); 1, 3: within the shared connection's 16
                int gets = round % 2 == 0 ? 2000 : 12;
                hog(uid, port, key, gets, round + 1);
                assertThat(EndpointSafetyIT.used() - before).as("memory in use while a client hogs").isLessThan(96L << 20);
            }
        });
        assertThat(slowest).as("another client's PING while clients hog").isLessThan(Duration.ofMillis(100));
        assertThat(metrics.refusals(uid, Refusal.OUTPUT_LIMIT)).isEqualTo(6);
        System.gc();
        assertThat(EndpointSafetyIT.used() - before).as("memory in use afterwards").isLessThan(48L << 20);
    }

    /** A client pipelines {@code gets} GETs of {@code key} and reads nothing, until it is the {@code nth} one disconnected. */
    void hog(long uid, int port, String key, int gets, int nth) throws Exception {
        try (Socket hog = new Socket("127.0.0.1", port)) {
            hog.setReceiveBufferSize(4096);
            hog.getOutputStream().write(Requests.resp("GET", key).repeat(gets).getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(20)).until(() -> metrics.refusals(uid, Refusal.OUTPUT_LIMIT) >= nth);
        }
    }
}
