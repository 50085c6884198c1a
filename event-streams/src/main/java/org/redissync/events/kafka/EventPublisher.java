package org.redissync.events.kafka;

import org.redissync.events.EventJson;
import org.redissync.events.Topic;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthenticationException;
import org.redissync.events.SuiteEvent;

/**
 * Publishes events to their topic, keyed by aggregate id, acknowledged by all in-sync replicas
 * (idempotent producer: a retry never duplicates). A producer whose authentication failed (a service
 * that came up before the broker had made its user, or a password being rotated) is unusable for good:
 * the idempotent producer's state is fatal from then on. It is replaced, once, by a new one, and the
 * next event goes through it; the event that met the failure fails, and its caller retries it.
 */
public final class EventPublisher implements AutoCloseable {

    private final KafkaSettings settings;
    private final AtomicReference<KafkaProducer<String, byte[]>> producer = new AtomicReference<>();

    public EventPublisher(KafkaSettings settings) {
        this.settings = settings;
        // made at the first event (OnDemand says why not here), and made again while making it fails
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer.get();
        if (p == null) {
            KafkaProducer<String, byte[]> fresh = new KafkaProducer<>(settings.producer());
            if (producer.compareAndSet(null, fresh)) {
                return fresh;
            }
            fresh.close(Duration.ZERO);
            p = producer.get();
        }
        return p;
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
        KafkaProducer<String, byte[]> p;
        try {
            p = producer();
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // no resolvable broker address yet: the caller retries, as for any failure
            return done;
        }
        try {
            p.send(new ProducerRecord<>(settings.topic(topic), key, value), (metadata, error) -> {
                if (error != null) {
                    replaceIfUnauthenticated(p, error);
                    done.completeExceptionally(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            replaceIfUnauthenticated(p, e);
            done.completeExceptionally(e);
        }
        return done;
    }

    private void replaceIfUnauthenticated(KafkaProducer<String, byte[]> broken, Throwable error) {
        if (!(error instanceof AuthenticationException) && !(error.getCause() instanceof AuthenticationException)) {
            return;
        }
        KafkaProducer<String, byte[]> fresh = new KafkaProducer<>(settings.producer());
        if (producer.compareAndSet(broken, fresh)) {
            // not from its own callback thread's close: a separate thread waits for it
            Thread closer = new Thread(() -> broken.close(Duration.ofSeconds(5)), "producer-close");
            closer.setDaemon(true);
            closer.start();
        } else {
            fresh.close(Duration.ZERO);
        }
    }

    @Override
    public void close() {
        KafkaProducer<String, byte[]> p = producer.getAndSet(null);
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }
}
