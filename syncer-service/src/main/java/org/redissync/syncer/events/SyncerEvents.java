package org.redissync.syncer.events;

import java.time.Clock;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.events.BdbConfigEvent;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.SuiteSettingsEvent;
import org.redissync.events.kafka.EventStreams;
import org.redissync.events.Topic;
import org.redissync.events.kafka.TopicView;
import org.redissync.syncer.config.SyncerConfig;

/**
 * This cluster's view of the desired state (CRDBs, bdbs, certificates); it writes {@code syncer.status}.
 */
@Singleton
public class SyncerEvents implements org.redissync.plumbing.ServiceStreams {

    private final String cluster;
    private final EventStreams streams;
    private final TopicView<CrdbConfigEvent> crdbs;
    private final TopicView<BdbConfigEvent> bdbs;
    private final TopicView<ClusterCertificateEvent> certificates;
    private final TopicView<SuiteSettingsEvent> settings;

    SyncerEvents(SyncerConfig config, Clock clock) {
        this.cluster = config.cluster().name();
        this.streams = new EventStreams(config.kafka().settings("syncer-" + cluster), clock);
        this.crdbs = streams.follow(Topic.CRDB_CONFIG);
        this.bdbs = streams.follow(Topic.BDB_CONFIG);
        this.certificates = streams.follow(Topic.CLUSTER_CERTIFICATES);
        this.settings = streams.follow(Topic.SUITE_SETTINGS);
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

    public TopicView<ClusterCertificateEvent> certificates() {
        return certificates;
    }

    public TopicView<SuiteSettingsEvent> settings() {
        return settings;
    }

    /** RE's cluster-wide data TLS settings ({@code PUT /v1/cluster}), or the defaults. */
    public SuiteSettingsEvent.DataTlsSettings dataTls() {
        return settings.get(SuiteSettingsEvent.DataTlsSettings.KEY).orElse(null) instanceof SuiteSettingsEvent.DataTlsSettings s ? s
                : SuiteSettingsEvent.DataTlsSettings.defaults();
    }
}
