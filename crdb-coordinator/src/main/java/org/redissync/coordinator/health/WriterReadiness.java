package org.redissync.coordinator.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.kafka.SingleWriter;
import org.redissync.plumbing.ReadinessCondition;

/**
 * The coordinator is ready only while it holds the single-writer lease: a standby (another coordinator writes desired
 * state) is not ready, so a Service sends it no traffic. Shown as {@code "writer": "writer" | "standby" | ...}.
 */
@ApplicationScoped
public class WriterReadiness implements ReadinessCondition {

    private final CoordinatorEvents events;

    WriterReadiness(CoordinatorEvents events) {
        this.events = events;
    }

    @Override
    public String name() {
        return "writer";
    }

    @Override
    public String state() {
        return events.writer().role().name().toLowerCase();
    }

    @Override
    public boolean ready() {
        return events.writer().role() == SingleWriter.Role.WRITER;
    }
}
