package org.redissync.testing;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} application at the JVM's shared real broker, with topics under a
 * prefix unique to this application start so test runs never see each other's events.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    /** The config key every service reads its topic prefix from. */
    public static final String TOPIC_PREFIX_KEY = "redissync.kafka.topic-prefix";

    @Override
    public Map<String, String> start() {
        return Map.of(
                "kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                TOPIC_PREFIX_KEY, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }

    @Override
    public void stop() {
        // The broker outlives the application: it is shared by every test in this JVM.
    }
}
