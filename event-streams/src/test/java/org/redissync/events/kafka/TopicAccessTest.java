package org.redissync.events.kafka;

import org.redissync.events.Topic;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.redissync.kafka.KafkaAccess;

/** The secured broker creates the topics and grants their ACLs itself: it must know the same topics as the services. */
class TopicAccessTest {

    @Test
    void theLaunchersTopicsAreTheServicesTopics() {
        Map<String, Integer> services = new HashMap<>();
        for (Topic t : Topic.values()) {
            services.put(t.baseName(), t.partitions());
        }
        assertThat(KafkaAccess.TOPIC_PARTITIONS).isEqualTo(services);
    }
}
