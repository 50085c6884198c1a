package org.redissync.coordinator.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redissync.coordinator.events.CoordinatorEvents;

/** Ready only while Kafka answers and the coordinator has read its topics to the end. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final CoordinatorEvents events;

    KafkaReadiness(CoordinatorEvents events) {
        this.events = events;
    }

    @Override
    public HealthCheckResponse call() {
        var r = events.streams().readiness();
        return HealthCheckResponse.named("kafka").status(r.reachable()).withData("detail", r.detail()).build();
    }
}
