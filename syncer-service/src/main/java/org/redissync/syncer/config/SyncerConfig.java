package org.redissync.syncer.config;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * Everything the syncer-service can be told, under {@code redissync.*}. Checked at boot: a bad value
 * fails the start, not the first request.
 */
@ConfigMapping(prefix = "redissync")
public interface SyncerConfig {

    Kafka kafka();

    /** The cluster this syncer-service serves (one syncer-service per cluster). */
    Cluster cluster();

    interface Cluster {
        /** The cluster's name, as bdbs and CRDB instances refer to it. Required. */
        @NotBlank
        String name();
    }

    interface Kafka {
        /** Defaults to Quarkus's {@code kafka.bootstrap.servers}. */
        @NotBlank
        String bootstrapServers();

        /** Prefix for the suite's topic names (empty in production; unique per test run). */
        Optional<String> topicPrefix();

        /** Replication factor of the topics the coordinator creates. */
        @WithDefault("1")
        @Min(1)
        @Max(7)
        short replicationFactor();

        /** Extra Kafka client properties, e.g. {@code security.protocol}. */
        Map<String, String> client();
    }
}
