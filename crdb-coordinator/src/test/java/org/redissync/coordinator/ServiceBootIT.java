package org.redissync.coordinator;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.testing.KafkaBrokerTestResource;
import org.redissync.testing.ManagementProbes;

/** The coordinator boots against the real broker: health, metrics, OpenAPI, an event out and back in. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class ServiceBootIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    CoordinatorEvents events;

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
    void itsOpenApiDocumentDescribesTheBodies() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new URL(management, "openapi?format=json"));
        var schemas = json.at("/components/schemas");
        assertThat(schemas.at("/BdbRequest/properties/tls_mode/enum").toString()).contains("replica_ssl", "enabled", "disabled");
        assertThat(schemas.at("/Bdb/properties/endpoints/items/$ref").asText()).endsWith("/Endpoint");
        assertThat(schemas.at("/CrdbCreateRequest/properties/default_db_config/$ref").asText()).endsWith("/DbConfig");
        assertThat(schemas.at("/ErrorBody/properties").has("error_code")).isTrue();
        assertThat(json.at("/paths/~1v1~1bdbs/post/requestBody/content/application~1json/schema/$ref").asText()).endsWith("/BdbRequest");
        assertThat(json.at("/paths/~1v1~1bdbs~1{uid}/put/responses/406/content/application~1json/schema/$ref").asText())
                .endsWith("/ErrorBody");
        assertThat(json.at("/paths/~1v1~1crdbs/post/responses/200/content/application~1json/schema/$ref").asText()).endsWith("/Task");
        assertThat(json.at("/paths/~1v1~1cluster/put/requestBody/content/application~1json/schema/$ref").asText()).endsWith("/ClusterSettings");
        assertThat(json.at("/paths/~1v1~1cluster~1update_cert/put/requestBody/content/application~1json/schema/$ref").asText())
                .endsWith("/SuppliedCertificate");
        assertThat(schemas.at("/SuppliedCertificate/properties/key/writeOnly").asBoolean()).isTrue();
        // the Cluster Manager UI's own calls
        assertThat(json.at("/paths/~1ui-api~1session/get/responses/200/content/application~1json/schema/$ref").asText()).endsWith("/Session");
        assertThat(json.at("/paths/~1ui-api~1certificate/post/requestBody/content/*~1*/schema/$ref").asText()).endsWith("/Pem");
        assertThat(schemas.at("/CertificateReport/properties/use/enum").toString()).contains("pinned_leaf", "ca_chain");
        assertThat(schemas.at("/CertificateFacts/properties").has("not_after")).isTrue();
    }

    @Test
    void anEventItPublishesComesBackThroughTheRealBroker() throws Exception {
        String guid = "crdb:" + UUID.randomUUID();
        var event = new CrdbConfigured(CrdbConfigured.VERSION, guid, 1, "boot-test", false, false, Map.of(), List.of(), 0,
                Instant.parse("2026-11-28T00:00:00Z"));
        var metadata = events.streams().publisher().publish(event).get(30, TimeUnit.SECONDS);
        assertThat(metadata.topic()).endsWith("crdb.config");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.crdbs().get(guid)).contains(event));
    }
}
