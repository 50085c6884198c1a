package org.redissync.cert.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redissync.cert.events.CertEvents;

/** Ready only while Kafka answers and the cert-service has read its topics to the end. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final CertEvents events;

    KafkaReadiness(CertEvents events) {
        this.events = events;
    }

    @Override
    public HealthCheckResponse call() {
        var r = events.streams().readiness();
        return HealthCheckResponse.named("kafka").status(r.reachable()).withData("detail", r.detail()).build();
    }
}
