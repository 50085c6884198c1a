package org.redissync.plumbing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Every service's readiness ({@code /q/health/ready}, check {@code kafka}): ready only while Kafka answers, the
 * service has read its topics to the end, and every {@link ReadinessCondition} it has holds.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final ServiceStreams service;
    private final Instance<ReadinessCondition> conditions;

    KafkaReadiness(ServiceStreams service, Instance<ReadinessCondition> conditions) {
        this.service = service;
        this.conditions = conditions;
    }

    @Override
    public HealthCheckResponse call() {
        var r = service.streams().readiness();
        boolean up = r.reachable();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kafka").withData("detail", r.detail());
        for (ReadinessCondition c : conditions) {
            up &= c.ready();
            b.withData(c.name(), c.state());
        }
        return b.status(up).build();
    }
}
