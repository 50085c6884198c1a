package org.redissync.coordinator.events;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
import org.redissync.events.kafka.SingleWriter;
import org.redissync.events.Topic;
import org.redissync.events.kafka.TopicView;

/**
 * The coordinator's view of the suite's topics, and its {@link SingleWriter} lease: of all the coordinators of a
 * deployment, only the one holding it writes desired state and tasks.
 */
@Singleton
public class CoordinatorEvents implements org.redissync.plumbing.ServiceStreams {

    private final EventStreams streams;
    private final TopicView<CrdbConfigEvent> crdbs;
    private final TopicView<BdbConfigEvent> bdbs;
    private final TopicView<CrdbTaskEvent> tasks;
    private final TopicView<SyncerStatusEvent> status;
    private final TopicView<ClusterCertificateEvent> certificates;
    private final TopicView<SuiteSettingsEvent> settings;
    private final SingleWriter writer;

    CoordinatorEvents(CoordinatorConfig config, Clock clock) {
        this.streams = new EventStreams(config.kafka().settings(config.workerName()), clock);
        this.crdbs = streams.follow(Topic.CRDB_CONFIG);
        this.bdbs = streams.follow(Topic.BDB_CONFIG);
        this.tasks = streams.follow(Topic.CRDB_TASKS);
        // fed by SyncerStatusStream (Reactive Messaging), not by a TopicLog of its own
        this.status = TopicView.fed();
        this.certificates = streams.follow(Topic.CLUSTER_CERTIFICATES);
        this.settings = streams.follow(Topic.SUITE_SETTINGS);
        // one name for every coordinator of a deployment (not the worker name, which may differ per process)
        this.writer = new SingleWriter(streams.settings(), "crdb-coordinator", () -> CompletableFuture.allOf(
                crdbs.log().readToEnd(), bdbs.log().readToEnd(), tasks.log().readToEnd(), settings.log().readToEnd(),
                certificates.log().readToEnd()).get(30, TimeUnit.SECONDS));
    }

    void start(@Observes StartupEvent ignored) {
        streams.start();
        // the lease is taken once the topics exist (its group follows crdb.config)
        streams.topicsReady().thenRun(writer::start);
    }

    void stop(@Observes ShutdownEvent ignored) {
        writer.close(); // first: the next coordinator takes over while this one closes the rest
        streams.close();
    }

    /** Whether this coordinator may write desired state now, and the writes themselves. */
    public SingleWriter writer() {
        return writer;
    }

    @Override
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
