package org.redissync.syncer;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
        given().when().get(management + "health/live").then().statusCode(200).body("status", equalTo("UP"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().when().get(management + "health/ready").then().statusCode(200).body("checks.find { it.name == 'kafka' }.status", equalTo("UP")));
    }

    @Test
    void servesPrometheusMetricsAndItsOpenApiDocument() {
        given().when().get(management + "metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().when().get(management + "openapi").then().statusCode(200).body(containsString("openapi"));
        // and none of them on the service's own port (the coordinator's is the API's, behind its TLS front)
        for (String path : new String[] {"/q/metrics", "/q/openapi", "/q/health", "/q/health/ready"}) {
            given().when().get(path).then().statusCode(404);
        }
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
