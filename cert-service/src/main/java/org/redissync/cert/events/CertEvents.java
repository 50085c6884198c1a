package org.redissync.cert.events;

import java.time.Clock;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.cert.config.CertServiceConfig;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.kafka.EventStreams;
import org.redissync.events.Topic;
import org.redissync.events.kafka.TopicView;

/** cert-service writes {@code cluster.certificates} (and reads it back on start); it reads bdbs for Replica Of trust. */
@Singleton
public class CertEvents implements org.redissync.plumbing.ServiceStreams {

    private final EventStreams streams;
    private final TopicView<ClusterCertificateEvent> certificates;
    private final TopicView<BdbConfigEvent> bdbs;

    CertEvents(CertServiceConfig config, Clock clock) {
        this.streams = new EventStreams(config.kafka().settings(config.clientId()), clock);
        this.certificates = streams.follow(Topic.CLUSTER_CERTIFICATES);
        this.bdbs = streams.follow(Topic.BDB_CONFIG);
    }

    void start(@Observes StartupEvent ignored) {
        streams.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        streams.close();
    }

    @Override
    public EventStreams streams() {
        return streams;
    }

    public TopicView<ClusterCertificateEvent> certificates() {
        return certificates;
    }

    public TopicView<BdbConfigEvent> bdbs() {
        return bdbs;
    }
}
