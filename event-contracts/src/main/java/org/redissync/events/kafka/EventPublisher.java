package org.redissync.events.kafka;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.redissync.events.SuiteEvent;

/**
 * Publishes events to their topic, keyed by aggregate id, acknowledged by all in-sync replicas
 * (idempotent producer: a retry never duplicates).
 */
public final class EventPublisher implements AutoCloseable {

    private final KafkaSettings settings;
    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(KafkaSettings settings) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(settings.producer());
    }

    /** Completes when the broker has the event; fails if it cannot be written. */
    public CompletableFuture<RecordMetadata> publish(SuiteEvent event) {
        return send(Topic.of(event.getClass()), event.key(), EventJson.write(event));
    }

    /** Writes a tombstone: compaction then forgets the key. */
    public CompletableFuture<RecordMetadata> tombstone(Topic topic, String key) {
        return send(topic, key, null);
    }

    private CompletableFuture<RecordMetadata> send(Topic topic, String key, byte[] value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(settings.topic(topic), key, value), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
