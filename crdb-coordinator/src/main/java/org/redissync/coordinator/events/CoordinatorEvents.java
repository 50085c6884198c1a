package org.redissync.coordinator.events;

import java.time.Clock;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbTaskEvent;
import org.redissync.events.SuiteSettingsEvent;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.kafka.EventStreams;
import org.redissync.events.kafka.Topic;
import org.redissync.events.kafka.TopicView;

/** The coordinator's view of the suite's topics; it is the one writer of desired state and tasks. */
@Singleton
public class CoordinatorEvents {

    private final EventStreams streams;
    private final TopicView<CrdbConfigEvent> crdbs;
    private final TopicView<BdbConfigEvent> bdbs;
    private final TopicView<CrdbTaskEvent> tasks;
    private final TopicView<SyncerStatusEvent> status;
    private final TopicView<ClusterCertificateEvent> certificates;
    private final TopicView<SuiteSettingsEvent> settings;

    CoordinatorEvents(CoordinatorConfig config, Clock clock) {
        this.streams = new EventStreams(config.kafka().settings(config.workerName()), clock);
        this.crdbs = streams.follow(Topic.CRDB_CONFIG);
        this.bdbs = streams.follow(Topic.BDB_CONFIG);
        this.tasks = streams.follow(Topic.CRDB_TASKS);
        this.status = streams.follow(Topic.SYNCER_STATUS);
        this.certificates = streams.follow(Topic.CLUSTER_CERTIFICATES);
        this.settings = streams.follow(Topic.SUITE_SETTINGS);
    }

    void start(@Observes StartupEvent ignored) {
        streams.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        streams.close();
    }

    public EventStreams streams() {
        return streams;
    }

    public TopicView<CrdbConfigEvent> crdbs() {
        return crdbs;
    }

    public TopicView<BdbConfigEvent> bdbs() {
        return bdbs;
    }

    public TopicView<CrdbTaskEvent> tasks() {
        return tasks;
    }

    public TopicView<SyncerStatusEvent> status() {
        return status;
    }

    public TopicView<ClusterCertificateEvent> certificates() {
        return certificates;
    }

    public TopicView<SuiteSettingsEvent> settings() {
        return settings;
    }
}
