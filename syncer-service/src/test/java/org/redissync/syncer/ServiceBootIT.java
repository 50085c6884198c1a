package org.redissync.syncer;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.testing.KafkaBrokerTestResource;
import org.redissync.testing.ManagementProbes;

/** The syncer-service boots against the real broker: health, metrics, OpenAPI, an event out and back in. */
@QuarkusTest
@WithTestResource(value = org.redissync.syncer.endpoint.EndpointPkiResource.class, scope = TestResourceScope.GLOBAL)
class ServiceBootIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    SyncerEvents events;

    @Test
    void isLiveAndBecomesReadyOnceItHasReadItsTopics() {
        ManagementProbes.awaitLiveAndReady(management);
    }

    /** The service's own port (the coordinator's: its API's plain test port). */
    @TestHTTPResource("/")
    URL service;

    @Test
    void servesPrometheusMetricsAndItsOpenApiDocumentOnlyOnItsManagementPort() {
        ManagementProbes.assertOnlyOnTheManagementPort(management, service);
    }

    @Test
    void anEventItPublishesComesBackThroughTheRealBroker() throws Exception {
        long uid = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
        var event = new BdbConfigured(BdbConfigured.VERSION, uid, 1, "boot-test", events.cluster(), 12000, "127.0.0.1:6379",
                1 << 20, null, Tls.disabled(), List.of(), "disabled", Instant.parse("2026-11-28T00:00:00Z"));
        var metadata = events.streams().publisher().publish(event).get(30, TimeUnit.SECONDS);
        assertThat(metadata.topic()).endsWith("bdb.config");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.bdbs().get(event.key())).contains(event));
    }
}
