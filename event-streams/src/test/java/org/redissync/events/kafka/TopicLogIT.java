package org.redissync.events.kafka;

import org.redissync.events.Topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.testing.SharedKafka;

/** Against the real broker: topics, publishing, reading to the end, rebuilding, bad records. */
class TopicLogIT {

    KafkaSettings settings;

    @BeforeEach
    void uniqueTopics() {
        settings = KafkaSettings.local(SharedKafka.bootstrapServers(), "t" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "topic-log-test");
    }

    @Test
    void topicsAreCreatedOnceCompactedWithTheirPartitionsAndCreatingAgainChangesNothing() throws Exception {
        TopicAdmin.ensureTopics(settings);
        TopicAdmin.ensureTopics(settings);
        try (Admin admin = Admin.create(settings.admin())) {
            List<String> names = java.util.Arrays.stream(Topic.values()).map(settings::topic).toList();
            Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
            for (Topic t : Topic.values()) {
                assertThat(d.get(settings.topic(t)).partitions()).hasSize(t.partitions());
                var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, settings.topic(t))))
                        .all().get(10, TimeUnit.SECONDS).values().iterator().next();
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }
        }
    }

    @Test
    void aPublishedEventIsReadBackAndTheStateIsRebuiltByANewReader() throws Exception {
        TopicAdmin.ensureTopics(settings);
        Map<String, CrdbConfigEvent> state = new ConcurrentHashMap<>();
        try (EventPublisher publisher = new EventPublisher(settings);
                TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(settings, Topic.CRDB_CONFIG,
                        (k, e, o) -> state.put(k, e)).start()) {
            log.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(state).isEmpty();
            publisher.publish(crdb("g1", 1)).get(10, TimeUnit.SECONDS);
            publisher.publish(crdb("g1", 2)).get(10, TimeUnit.SECONDS);
            publisher.publish(crdb("g2", 1)).get(10, TimeUnit.SECONDS);
            log.readToEnd().get(10, TimeUnit.SECONDS);
            assertThat(state.get("g1").generation()).isEqualTo(2);
            assertThat(state).containsOnlyKeys("g1", "g2");
        }
        Map<String, CrdbConfigEvent> rebuilt = new ConcurrentHashMap<>();
        try (TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(settings, Topic.CRDB_CONFIG,
                (k, e, o) -> rebuilt.put(k, e)).start()) {
            log.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(rebuilt).isEqualTo(state);
        }
    }

    @Test
    void aRecordThatIsNotAnEventIsSkippedAndTheLogGoesOn() throws Exception {
        TopicAdmin.ensureTopics(settings);
        Map<String, CrdbConfigEvent> state = new ConcurrentHashMap<>();
        var producerConfig = settings.producer();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerConfig);
                EventPublisher publisher = new EventPublisher(settings)) {
            raw.send(new ProducerRecord<>(settings.topic(Topic.CRDB_CONFIG), "bad", "{not json".getBytes())).get();
            publisher.publish(crdb("good", 1)).get(10, TimeUnit.SECONDS);
        }
        try (TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(settings, Topic.CRDB_CONFIG,
                (k, e, o) -> state.put(k, e)).start()) {
            log.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(state.keySet()).isEqualTo(Set.of("good"));
        }
    }

    @Test
    void readToEndWaitsForTheBrokerWhenTheTopicIsNotThereYet() throws Exception {
        Map<String, CrdbConfigEvent> state = new ConcurrentHashMap<>();
        try (TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(settings, Topic.CRDB_CONFIG,
                (k, e, o) -> state.put(k, e)).start()) {
            var caughtUp = log.readToEnd();
            assertThat(caughtUp).isNotDone();
            TopicAdmin.ensureTopics(settings);
            try (EventPublisher publisher = new EventPublisher(settings)) {
                publisher.publish(crdb("late", 1)).get(10, TimeUnit.SECONDS);
            }
            caughtUp.get(30, TimeUnit.SECONDS);
            log.readToEnd().get(30, TimeUnit.SECONDS);
            assertThat(state).containsKey("late");
        }
    }

    @Test
    void readToEndIsNotHeldBehindTheFetchTheReaderHasParkedInTheBroker() throws Exception {
        // The broker answers one connection's requests in order, and an idle reader's connection has a fetch
        // parked for fetch.max.wait.ms. Made long here: asked on the reader's connection, where the topic ends
        // would take the whole wait to learn, written to or not.
        KafkaSettings slowFetches = new KafkaSettings(settings.bootstrapServers(), settings.topicPrefix(), (short) 1,
                settings.clientId(), Map.of("fetch.max.wait.ms", "20000"));
        TopicAdmin.ensureTopics(slowFetches);
        Map<String, CrdbConfigEvent> state = new ConcurrentHashMap<>();
        try (EventPublisher publisher = new EventPublisher(slowFetches);
                TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(slowFetches, Topic.CRDB_CONFIG,
                        (k, e, o) -> state.put(k, e)).start()) {
            log.readToEnd().get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) {
                // the reader is idle now: its next fetch is parked in the broker
                await().pollDelay(Duration.ofMillis(300)).until(() -> true);
                log.readToEnd().get(5, TimeUnit.SECONDS);
                publisher.publish(crdb("g", i)).get(10, TimeUnit.SECONDS);
                log.readToEnd().get(5, TimeUnit.SECONDS);
                assertThat(state.get("g").generation()).isEqualTo(i);
            }
        }
    }

    private static CrdbConfigured crdb(String guid, long generation) {
        return new CrdbConfigured(CrdbConfigured.VERSION, guid, generation, "db-" + guid, false, false, Map.of(), List.of(), 0,
                Instant.now());
    }

}
