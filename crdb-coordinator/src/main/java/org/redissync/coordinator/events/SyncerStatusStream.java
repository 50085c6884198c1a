package org.redissync.coordinator.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.events.EventJson;
import org.redissync.events.SyncerStatusEvent;

/**
 * The syncer-services' status stream ({@code syncer.status}), read with SmallRye Reactive Messaging into the
 * coordinator's status view ({@link CoordinatorEvents#status()}). Every coordinator reads every partition from the
 * beginning: its channel's consumer group is its own ({@code crdb-coordinator.status-<uuid>}), commits nothing, and
 * starts at the earliest offset, so after a start it holds each key's latest status, as the compacted topic does.
 *
 * <p>The channel is started here, not by the connector: Kafka's consumer cannot be made while the broker's name does
 * not resolve (a coordinator starts before its broker in Kubernetes), and a consumer the connector fails to make ends
 * its channel. So the channel is lazy ({@code lazy-client}) and subscribed once the service's own clients have reached
 * the broker ({@link org.redissync.events.kafka.EventStreams#topicsReady()}); should the subscription fail all the
 * same, it is made again after a pause. The coordinator is ready once the channel has read, on every partition, as far
 * as the topic went when it was first assigned ({@link #caughtUp()}): as with the views read by {@code TopicLog}, a
 * ready coordinator knows every status written before it started. Why the other streams do not use Reactive Messaging: {@code docs/events.md}.
 */
@ApplicationScoped
public class SyncerStatusStream {

    private static final Logger LOG = Logger.getLogger(SyncerStatusStream.class);

    static final String CHANNEL = "syncer-status";

    private final CoordinatorEvents events;
    private final Multi<Message<byte[]>> channel;
    private final KafkaClientService clients;
    private volatile Cancellable subscription;
    private volatile boolean stopped;
    /** Where each partition ended when the channel was first assigned: caught up once read that far. */
    private Map<TopicPartition, Long> targets;
    private volatile boolean caughtUp;

    SyncerStatusStream(CoordinatorEvents events, @Channel(CHANNEL) Multi<Message<byte[]>> channel, KafkaClientService clients) {
        this.events = events;
        this.channel = channel;
        this.clients = clients;
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().topicsReady().thenRun(this::subscribe);
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private synchronized void subscribe() {
        if (stopped || subscription != null) {
            return;
        }
        subscription = channel
                .onFailure().invoke(e -> LOG.warnf("syncer.status channel failed (%s); subscribing again", e.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely()
                .subscribe().with(this::apply, e -> LOG.errorf(e, "syncer.status channel ended"));
    }

    /**
     * Whether the channel has read every partition as far as it went when the channel was first assigned (then true
     * for good: later statuses are news, not history). Blocking, for the readiness check: it asks the channel's
     * consumer on its polling thread.
     */
    public boolean caughtUp() {
        if (caughtUp) {
            return true;
        }
        KafkaConsumer<Object, Object> consumer = subscription == null ? null : clients.getConsumer(CHANNEL);
        if (consumer == null) {
            return false;
        }
        try {
            caughtUp = consumer.runOnPollingThread(c -> {
                synchronized (this) {
                    if (targets == null) {
                        if (c.assignment().isEmpty()) {
                            return false;
                        }
                        targets = Map.copyOf(c.endOffsets(c.assignment(), Duration.ofSeconds(5)));
                    }
                    for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
                        if (!c.assignment().contains(t.getKey()) || c.position(t.getKey(), Duration.ofSeconds(5)) < t.getValue()) {
                            return false;
                        }
                    }
                    return true;
                }
            }).await().atMost(Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            LOG.debugf("syncer.status channel: not caught up yet (%s)", e.toString());
        }
        return caughtUp;
    }

    void apply(Message<byte[]> m) {
        try {
            IncomingKafkaRecordMetadata<?, ?> r = m.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
            String key = String.valueOf(r.getKey()); // never null: the topic is compacted
            SyncerStatusEvent event = null;
            if (m.getPayload() != null) {
                try {
                    event = EventJson.read(m.getPayload(), SyncerStatusEvent.class);
                } catch (EventJson.MalformedEventException e) {
                    // never fails the channel: one bad record (another version, a hostile writer) is skipped, named
                    LOG.errorf("syncer.status partition %d offset %d key %s: skipped, %s", r.getPartition(), r.getOffset(), key,
                            e.getMessage());
                    return;
                }
            }
            try {
                events.status().accept(key, event, r.getOffset());
            } catch (RuntimeException e) {
                LOG.errorf(e, "syncer.status partition %d offset %d key %s: a listener failed", r.getPartition(), r.getOffset(), key);
            }
        } finally {
            m.ack(); // commits nothing (commit-strategy=ignore); lets the connector count the record as handled
        }
    }

    /** The Kafka settings of the service (bootstrap servers, security) as the connector's base configuration. */
    @Singleton
    static class Configuration {
        @Produces
        @Identifier("redissync-kafka")
        Map<String, Object> kafka(CoordinatorConfig config) {
            return new HashMap<>(config.kafka().settings(config.workerName() + "-status").clientConfig());
        }
    }
}
