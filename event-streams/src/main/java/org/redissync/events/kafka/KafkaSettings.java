package org.redissync.events.kafka;

import org.redissync.events.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How a service reaches the suite's topics: bootstrap servers, topic prefix, replication factor,
 * and extra client properties (security settings for a production cluster, for example).
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, short replicationFactor, String clientId,
        Map<String, String> clientProperties) {

    public KafkaSettings {
        topicPrefix = topicPrefix == null ? "" : topicPrefix;
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }

    public static KafkaSettings local(String bootstrapServers, String topicPrefix, String clientId) {
        return new KafkaSettings(bootstrapServers, topicPrefix, (short) 1, clientId, Map.of());
    }

    /** The properties of a Kafka client properties file, values as written; empty without a file. */
    public static Map<String, String> readClientProperties(Optional<String> file) {
        if (file.isEmpty()) {
            return Map.of();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(Path.of(file.get()))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka client properties file " + file.get(), e);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    /** The next wait of a client retrying a broker that is away: doubled, at most 5 s. */
    static Duration nextBackoff(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    public String topic(Topic topic) {
        return topic.name(topicPrefix);
    }

    /**
     * What every client of this service sets (bootstrap servers, client id, the security settings): the base of a
     * Reactive Messaging channel's Kafka configuration too.
     */
    public Map<String, Object> clientConfig() {
        return common();
    }

    Map<String, Object> common() {
        Map<String, Object> m = new HashMap<>(clientProperties);
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        m.putIfAbsent(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        return m;
    }

    Map<String, Object> admin() {
        Map<String, Object> m = common();
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-admin");
        m.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        m.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return m;
    }

    Map<String, Object> producer() {
        Map<String, Object> m = common();
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-producer");
        m.put(ProducerConfig.ACKS_CONFIG, "all");
        m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        m.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // how long one send or commit waits for the broker (the client properties may set it shorter; the single
        // writer asks a commit that timed out again, within its own budget)
        m.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
        m.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
        m.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return m;
    }

    /** The single writer's transactional producer (one id per deployment: taking it over fences the last holder). */
    Map<String, Object> transactionalProducer(String transactionalId) {
        Map<String, Object> m = producer();
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-writer");
        m.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // an abandoned transaction holds read_committed readers back this long at most
        m.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30000);
        return m;
    }

    /** The single writer's lease: a group member that reads nothing (its partition is paused). */
    Map<String, Object> leaseConsumer(String groupId) {
        Map<String, Object> m = common();
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-lease");
        m.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10000);
        m.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // sticky: a coordinator joining the group never takes the lease from the one that holds it
        m.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return m;
    }

    Map<String, Object> consumer(String topicName) {
        Map<String, Object> m = common();
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-" + topicName);
        // No group: each reader assigns itself every partition and reads from the beginning.
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        m.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // fetch.max.wait.ms stays at Kafka's 500 ms: a parked fetch is answered as soon as a record arrives, and
        // read-your-writes asks where a topic ends over another connection (EndOffsets), never behind that fetch.
        m.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        m.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return m;
    }
}
