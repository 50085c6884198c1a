package org.redissync.events.kafka;

import org.redissync.events.Topic;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import org.redissync.events.SuiteEvent;

/**
 * The current state of a compacted topic: the latest event per key (a tombstone removes the key),
 * kept up to date by a {@link TopicLog}, or fed by a stream of another kind ({@link #fed}: a Reactive
 * Messaging channel). Listeners hear every change in offset order (per partition), on the feeding thread.
 */
public final class TopicView<T extends SuiteEvent> implements AutoCloseable {

    private final Map<String, T> latest = new ConcurrentHashMap<>();
    private final List<TopicLog.Handler<T>> listeners = new CopyOnWriteArrayList<>();
    private final TopicLog<T> log;

    private TopicView() {
        this.log = null;
    }

    /** A view fed through {@link #accept} by a stream of its own (it has no {@link #log()}). */
    public static <T extends SuiteEvent> TopicView<T> fed() {
        return new TopicView<>();
    }

    /** Applies the record at {@code offset} of the feeding stream: {@code event} null is a tombstone. Fed views only. */
    public void accept(String key, T event, long offset) {
        if (log != null) {
            throw new IllegalStateException("a view kept by its TopicLog is not fed");
        }
        apply(key, event, offset);
    }

    /** A view on its own (tests, tools). */
    public TopicView(KafkaSettings settings, Topic topic) {
        this.log = new TopicLog<>(settings, topic, this::apply);
    }

    /** One of a service's views, sharing its {@link EndOffsets}. */
    public TopicView(KafkaSettings settings, Topic topic, EndOffsets endOffsets) {
        this.log = new TopicLog<>(settings, topic, this::apply, endOffsets);
    }

    public TopicView<T> start() {
        if (log != null) {
            log.start();
        }
        return this;
    }

    /** Adds a listener; register before {@link #start()} to see the whole history. */
    public TopicView<T> onChange(TopicLog.Handler<T> listener) {
        listeners.add(listener);
        return this;
    }

    private void apply(String key, T event, long offset) {
        if (event == null) {
            latest.remove(key);
        } else {
            latest.put(key, event);
        }
        for (TopicLog.Handler<T> l : listeners) {
            l.apply(key, event, offset);
        }
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    /** A snapshot of the current state. */
    public Map<String, T> all() {
        return Map.copyOf(latest);
    }

    /** The log that keeps this view; null for a {@link #fed} view. */
    public TopicLog<T> log() {
        return log;
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
