package org.redissync.coordinator.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.redissync.coordinator.events.SyncerStatusStream;
import org.redissync.plumbing.ReadinessCondition;

/**
 * The coordinator is ready only once its status channel (Reactive Messaging) has read the syncer-services' statuses
 * written before it started: a task finishes, and a bdb shows its sync state, by those statuses. Shown as
 * {@code "status": "caught_up" | "reading"}.
 */
@ApplicationScoped
public class StatusReadiness implements ReadinessCondition {

    private final SyncerStatusStream stream;

    StatusReadiness(SyncerStatusStream stream) {
        this.stream = stream;
    }

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String state() {
        return stream.caughtUp() ? "caught_up" : "reading";
    }

    @Override
    public boolean ready() {
        return stream.caughtUp();
    }
}
