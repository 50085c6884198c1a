package org.redissync.events.kafka;

import org.redissync.events.Topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.kafka.KafkaAccess;
import org.redissync.testing.kafka.KafkaUsers;
import org.redissync.testing.SecuredKafka;

/**
 * A service that meets the broker before the broker has made its user (Kubernetes orders no pods; a password being
 * rotated looks the same): its first publish fails with an authentication error, which leaves a Kafka idempotent
 * producer unusable for good. {@link EventPublisher} replaces that producer, so a later publish goes through, with no
 * restart. Real secured broker (SCRAM over TLS, ACLs).
 */
class PublisherAuthenticationIT {

    static SecuredKafka kafka;

    @BeforeAll
    static void securedBroker() throws Exception {
        kafka = SecuredKafka.start("", List.of("cluster-a"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aPublisherThatMetTheBrokerBeforeItsUserWasMadePublishesOnceTheUserIsThere() throws Exception {
        String user = KafkaUsers.syncer("cluster-b");
        String password = SecuredKafka.secret();
        Map<String, String> client = new HashMap<>(kafka.client(user, password));
        client.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        client.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        client.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        var settings = new KafkaSettings(kafka.broker().bootstrapServers(), "", (short) 1, "late-syncer", client);
        try (EventPublisher publisher = new EventPublisher(settings)) {
            assertThatThrownBy(() -> publisher.tombstone(Topic.SYNCER_STATUS, "cluster-b/channel/x").get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
            // the broker now makes the user (its provisioning, or an operator)
            Map<String, String> all = new HashMap<>(kafka.passwords());
            all.put(user, password);
            try (Admin a = Admin.create(new HashMap<String, Object>(kafka.client("admin", kafka.adminPassword())))) {
                KafkaAccess.provision(a, "", List.of("cluster-a", "cluster-b"), all);
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(publisher.tombstone(Topic.SYNCER_STATUS, "cluster-b/channel/x").get(15, TimeUnit.SECONDS).topic())
                            .isEqualTo("syncer.status"));
        }
    }
}
