package org.redissync.coordinator.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.coordinator.crdb.FakeSyncers;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.Topic;
import org.redissync.testing.KafkaBrokerTestResource;

/**
 * The syncer-services' status stream, read with Reactive Messaging: the coordinator is ready once the channel has
 * caught up, reads statuses as they come, and a record that is not a status (another version, a hostile writer) is
 * skipped without ending the channel.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class SyncerStatusStreamIT {

    @Inject
    CoordinatorEvents events;

    @Inject
    SyncerStatusStream stream;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/", management = true)
    java.net.URL management;

    @Test
    void readinessWaitsForTheChannelToCatchUpAndSaysSo() {
        await().atMost(Duration.ofSeconds(60)).until(stream::caughtUp);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(management.toString()).get("health/ready")
                .then().statusCode(200).body("checks.find { it.name == 'kafka' }.data.status", equalTo("caught_up")));
    }

    @Test
    void aRecordThatIsNotAStatusIsSkippedAndTheNextOneRead() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(stream::caughtUp);
        Map<String, Object> config = new HashMap<>(events.streams().settings().clientConfig());
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            String topic = events.streams().settings().topic(Topic.SYNCER_STATUS);
            raw.send(new ProducerRecord<>(topic, "cluster-a/endpoint/424242".getBytes(StandardCharsets.UTF_8),
                    "{\"not\": \"a status\"".getBytes(StandardCharsets.UTF_8))).get();
        }
        new FakeSyncers(events.streams().publisher()).endpointStatus("cluster-a", 424243, 7);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.status().all().values())
                .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(SyncerStatusEvent.EndpointStatus.class,
                        s -> assertThat(s.bdbUid()).isEqualTo(424243L))));
        assertThat(events.status().all().values()).noneSatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                SyncerStatusEvent.EndpointStatus.class, s -> assertThat(s.bdbUid()).isEqualTo(424242L)));
    }
}
