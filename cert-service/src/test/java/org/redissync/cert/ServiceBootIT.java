package org.redissync.cert;

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
import org.redissync.cert.events.CertEvents;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.testing.KafkaBrokerTestResource;
import org.redissync.testing.ManagementProbes;

/** cert-service boots against the real broker: health, metrics, OpenAPI, an event out and back in. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
class ServiceBootIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    CertEvents events;

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
        String cluster = "cluster-" + UUID.randomUUID();
        var cert = new PublishedCertificate("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "AA", "CN=x", "01",
                Instant.parse("2026-11-28T00:00:00Z"), Instant.parse("2027-02-26T00:00:00Z"), null);
        var event = new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, cluster, CertRole.PROXY, 1, cert,
                List.of(cert), false, 0, Instant.parse("2026-11-28T00:00:00Z"));
        var metadata = events.streams().publisher().publish(event).get(30, TimeUnit.SECONDS);
        assertThat(metadata.topic()).endsWith("cluster.certificates");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.certificates().get(event.key())).contains(event));
    }
}
