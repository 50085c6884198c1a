package org.redissync.coordinator.events;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.smallrye.common.annotation.Identifier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.EventJson;

/**
 * The syncer-services' status stream ({@code syncer.status}), read with SmallRye Reactive Messaging into the
 * coordinator's status view ({@link CoordinatorEvents#status()}). Every coordinator reads every partition from the
 * beginning: its channel's consumer group is its own ({@code crdb-coordinator.status-<uuid>}), commits nothing, and
 * starts at the earliest offset, so after a start it holds each key's latest status, as the compacted topic does.
 * Why the other streams do not use Reactive Messaging: {@code docs/events.md}.
 */
@ApplicationScoped
public class SyncerStatusStream {

    private static final Logger LOG = Logger.getLogger(SyncerStatusStream.class);

    private final CoordinatorEvents events;

    SyncerStatusStream(CoordinatorEvents events) {
        this.events = events;
    }

    @Incoming("syncer-status")
    void apply(ConsumerRecord<String, byte[]> r) {
        SyncerStatusEvent event = null;
        if (r.value() != null) {
            try {
                event = EventJson.read(r.value(), SyncerStatusEvent.class);
            } catch (EventJson.MalformedEventException e) {
                // never fails the channel: one bad record (another version, a hostile writer) is skipped, named
                LOG.errorf("syncer.status partition %d offset %d key %s: skipped, %s", r.partition(), r.offset(), r.key(), e.getMessage());
                return;
            }
        }
        try {
            events.status().accept(r.key(), event, r.offset());
        } catch (RuntimeException e) {
            LOG.errorf(e, "syncer.status partition %d offset %d key %s: a listener failed", r.partition(), r.offset(), r.key());
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
