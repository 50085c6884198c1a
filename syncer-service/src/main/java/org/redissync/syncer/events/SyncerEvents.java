package org.redissync.syncer.events;

import java.time.Clock;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.events.BdbConfigEvent;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.kafka.EventStreams;
import org.redissync.events.kafka.Topic;
import org.redissync.events.kafka.TopicView;
import org.redissync.syncer.config.SyncerConfig;

/**
 * This cluster's view of the desired state (CRDBs, bdbs, certificates); it writes {@code syncer.status}.
 */
@Singleton
public class SyncerEvents {

    private final String cluster;
    private final EventStreams streams;
    private final TopicView<CrdbConfigEvent> crdbs;
    private final TopicView<BdbConfigEvent> bdbs;
    private final TopicView<ClusterCertificateEvent> certificates;

    SyncerEvents(SyncerConfig config, Clock clock) {
        this.cluster = config.cluster().name();
        this.streams = new EventStreams(config.kafka().settings("syncer-" + cluster), clock);
        this.crdbs = streams.follow(Topic.CRDB_CONFIG);
        this.bdbs = streams.follow(Topic.BDB_CONFIG);
        this.certificates = streams.follow(Topic.CLUSTER_CERTIFICATES);
    }

    void start(@Observes StartupEvent ignored) {
        streams.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        streams.close();
    }

    public String cluster() {
        return cluster;
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

    public TopicView<ClusterCertificateEvent> certificates() {
        return certificates;
    }
}
