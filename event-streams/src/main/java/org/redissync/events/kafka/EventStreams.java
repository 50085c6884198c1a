package org.redissync.events.kafka;

import org.redissync.events.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;
import org.redissync.events.SuiteEvent;

/**
 * A service's connection to the suite's topics: makes sure they exist (retrying while the broker
 * is away, never failing the service's start), publishes, follows topics as {@link TopicView}s,
 * and says whether the service is ready (broker reachable, topics in place, views caught up once).
 */
public final class EventStreams implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventStreams.class);

    private final KafkaSettings settings;
    private final EventPublisher publisher;
    private final BrokerProbe probe;
    private final EndOffsets endOffsets;
    private final List<TopicView<?>> views = new ArrayList<>();
    private final CompletableFuture<Void> topicsReady = new CompletableFuture<>();
    private volatile CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private volatile boolean closed;
    private Thread bootstrap;

    public EventStreams(KafkaSettings settings, Clock clock) {
        this.settings = settings;
        this.publisher = new EventPublisher(settings);
        this.probe = new BrokerProbe(settings, clock, Duration.ofSeconds(2));
        this.endOffsets = new EndOffsets(settings);
    }

    /** Follows {@code topic}; call before {@link #start()}. */
    public <T extends SuiteEvent> TopicView<T> follow(Topic topic) {
        TopicView<T> view = new TopicView<>(settings, topic, endOffsets);
        views.add(view);
        return view;
    }

    /** Creates the topics in the background, then starts every view. Returns at once. */
    public synchronized EventStreams start() {
        bootstrap = new Thread(this::bootstrap, "event-streams-bootstrap");
        bootstrap.setDaemon(true);
        bootstrap.start();
        return this;
    }

    private void bootstrap() {
        Duration backoff = Duration.ofMillis(250);
        while (!closed) {
            try {
                TopicAdmin.ensureTopics(settings);
                topicsReady.complete(null);
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warnf("Kafka at %s not usable yet (%s); retrying", settings.bootstrapServers(), e.getMessage());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = KafkaSettings.nextBackoff(backoff);
            }
        }
        if (closed) {
            return;
        }
        views.forEach(TopicView::start);
        CompletableFuture.allOf(views.stream().map(v -> v.log().readToEnd()).toArray(CompletableFuture[]::new))
                .whenComplete((ok, err) -> {
                    if (err == null) {
                        LOG.infof("caught up with %d topic(s) on %s", views.size(), settings.bootstrapServers());
                        caughtUp.complete(null);
                    }
                });
    }

    public CompletableFuture<Void> topicsReady() {
        return topicsReady;
    }

    /** Completes once every followed topic has been read to its end after start. */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    public KafkaSettings settings() {
        return settings;
    }

    /** Readiness: the broker answers now, the topics exist and the views have caught up. Blocking. */
    public BrokerProbe.Result readiness() {
        if (!topicsReady.isDone()) {
            return new BrokerProbe.Result(false, "topics not created yet");
        }
        if (!caughtUp.isDone()) {
            return new BrokerProbe.Result(false, "reading the topics");
        }
        return probe.check();
    }

    @Override
    public void close() {
        closed = true;
        if (bootstrap != null) {
            bootstrap.interrupt();
        }
        views.forEach(TopicView::close);
        endOffsets.close();
        publisher.close();
        probe.close();
    }
}
