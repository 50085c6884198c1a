package org.redissync.events.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The {@code redissync.kafka.*} settings group every service's {@code @ConfigMapping} has: how to
 * reach the suite's topics.
 */
public interface KafkaConfig {

    /** Defaults to Quarkus's {@code kafka.bootstrap.servers} (set in each service's application.properties). */
    @NotBlank
    String bootstrapServers();

    /** Prefix for the suite's topic names (empty in production; unique per test run). */
    Optional<String> topicPrefix();

    /** Replication factor of the topics a service creates. */
    @WithDefault("1")
    @Min(1)
    @Max(7)
    short replicationFactor();

    /** Extra Kafka client properties, e.g. {@code security.protocol}. */
    Map<String, String> client();

    /**
     * A Kafka client properties file, read as Kafka reads one (no {@code ${...}} expansion by our config), so
     * Kafka's own config providers can pull passwords from mounted secrets, e.g.
     * {@code ssl.keystore.password=${dir:/etc/redis-sync/kafka-user:user.password}}. {@link #client()} wins
     * where both set a property.
     */
    Optional<String> clientPropertiesFile();

    /** The client settings for a service that identifies itself as {@code clientId}. */
    default KafkaSettings settings(String clientId) {
        Map<String, String> props = new HashMap<>(KafkaSettings.readClientProperties(clientPropertiesFile()));
        props.putAll(client());
        return new KafkaSettings(bootstrapServers(), topicPrefix().orElse(""), replicationFactor(), clientId, props);
    }
}
