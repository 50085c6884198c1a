package org.redissync.events.kafka;

import java.util.Map;
import java.util.Optional;

/** A {@link KafkaConfig} as a service's config mapping would produce it, for tests. */
record TestKafkaConfig(String bootstrapServers, Optional<String> topicPrefix, short replicationFactor, Map<String, String> client,
        Optional<String> clientPropertiesFile) implements KafkaConfig {
}
