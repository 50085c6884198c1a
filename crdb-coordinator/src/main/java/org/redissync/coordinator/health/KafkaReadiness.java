package org.redissync.coordinator.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.kafka.SingleWriter;

/**
 * Ready only while Kafka answers, the coordinator has read its topics to the end, and it holds the single-writer
 * lease: a standby coordinator (another one writes desired state) is not ready, so a Service sends it no traffic.
 */
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
        var role = events.writer().role();
        return HealthCheckResponse.named("kafka").status(r.reachable() && role == SingleWriter.Role.WRITER)
                .withData("detail", r.detail()).withData("writer", role.name().toLowerCase()).build();
    }
}
