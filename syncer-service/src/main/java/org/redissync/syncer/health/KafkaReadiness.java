package org.redissync.syncer.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redissync.syncer.events.SyncerEvents;

/** Ready only while Kafka answers and the syncer-service has read its topics to the end. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final SyncerEvents events;

    KafkaReadiness(SyncerEvents events) {
        this.events = events;
    }

    @Override
    public HealthCheckResponse call() {
        var r = events.streams().readiness();
        return HealthCheckResponse.named("kafka").status(r.reachable()).withData("detail", r.detail()).build();
    }
}
