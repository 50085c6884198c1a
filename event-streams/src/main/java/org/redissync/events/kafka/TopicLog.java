package org.redissync.events.kafka;

import org.redissync.events.EventJson;
import org.redissync.events.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.redissync.events.SuiteEvent;

/**
 * Reads one compacted topic from the beginning and then follows it, handing every record to a
 * handler on its own thread (the Kafka Connect {@code KafkaBasedLog} pattern). {@link #readToEnd()}
 * completes once everything written before the call has been handed over: the basis of
 * read-your-writes and of rebuilding state on start.
 *
 * <p>The broker may be unreachable at start or later: the reader keeps retrying, it never gives up
 * and never loses its position. A record that is not a valid event is logged once and skipped.
 *
 * <p>Where the topic ends is asked through {@link EndOffsets}, not the reading consumer: its connection
 * usually has a fetch parked in the broker, and the broker answers a connection's requests in order.
 */
public final class TopicLog<T extends SuiteEvent> implements AutoCloseable {

    /** Receives every record in offset order; {@code event} is null for a tombstone. */
    @FunctionalInterface
    public interface Handler<T> {
        void apply(String key, T event, long offset);
    }

    private static final Logger LOG = Logger.getLogger(TopicLog.class);

    private final KafkaSettings settings;
    private final Topic topic;
    private final String topicName;
    private final Class<T> type;
    private final Handler<T> handler;
    private final EndOffsets endOffsets;
    /** A log made without a shared {@link EndOffsets} makes its own, and closes it. */
    private final boolean ownsEndOffsets;
    private final Queue<CompletableFuture<Void>> readRequests = new ConcurrentLinkedQueue<>();
    /** Requests to read past given offsets (a writer's own records), taken over by the log thread. */
    private final Queue<Pending> readPastRequests = new ConcurrentLinkedQueue<>();
    /** Read requests whose end offsets are known, waiting for the position to reach them (log thread only). */
    private final List<Pending> pending = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile long recordsApplied;
    /** The reader waits in a poll (only then does a read request wake it). */
    private volatile boolean polling;

    /** A log on its own (tests, tools): it asks where the topic ends over a connection of its own. */
    public TopicLog(KafkaSettings settings, Topic topic, Handler<T> handler) {
        this(settings, topic, handler, new EndOffsets(settings), true);
    }

    /** One of a service's logs, sharing the service's {@link EndOffsets} (not closed with the log). */
    public TopicLog(KafkaSettings settings, Topic topic, Handler<T> handler, EndOffsets endOffsets) {
        this(settings, topic, handler, endOffsets, false);
    }

    @SuppressWarnings("unchecked")
    private TopicLog(KafkaSettings settings, Topic topic, Handler<T> handler, EndOffsets endOffsets, boolean ownsEndOffsets) {
        this.settings = settings;
        this.endOffsets = endOffsets;
        this.ownsEndOffsets = ownsEndOffsets;
        this.topic = topic;
        this.topicName = settings.topic(topic);
        this.type = (Class<T>) topic.eventType();
        this.handler = handler;
        this.thread = new Thread(this::run, "topic-log-" + topicName);
        this.thread.setDaemon(true);
    }

    public TopicLog<T> start() {
        thread.start();
        return this;
    }

    /** Completes when every record written before this call has been handed to the handler. */
    public CompletableFuture<Void> readToEnd() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("topic log " + topicName + " is closed"));
            return f;
        }
        readRequests.add(f);
        // The reader may be in a poll that waits up to 100 ms for records that are not coming: wake it,
        // so a read-your-writes costs the end-offsets round trip, not a poll timeout (each API write waits for
        // several of these in a row). The fetch that poll sent stays in flight and is answered as before.
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null && polling) {
            c.wakeup();
        }
        return f;
    }

    /**
     * Completes when the records at {@code written} (offsets per partition; other topics' are ignored) have been
     * handed to the handler. A writer's read-your-writes after a Kafka transaction: its commit returns before the
     * commit markers are written, so the topic's end a {@code read_committed} reader sees may not include them yet.
     */
    public CompletableFuture<Void> readPast(Map<TopicPartition, Long> written) {
        Map<TopicPartition, Long> after = new HashMap<>();
        written.forEach((tp, offset) -> {
            if (tp.topic().equals(topicName)) {
                after.put(tp, offset + 1);
            }
        });
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (after.isEmpty()) {
            f.complete(null);
            return f;
        }
        if (!running) {
            f.completeExceptionally(new IllegalStateException("topic log " + topicName + " is closed"));
            return f;
        }
        readPastRequests.add(new Pending(f, after));
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null && polling) {
            c.wakeup();
        }
        return f;
    }

    public String topicName() {
        return topicName;
    }

    public long recordsApplied() {
        return recordsApplied;
    }

    private void run() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            KafkaConsumer<String, byte[]> c = null;
            try {
                c = new KafkaConsumer<>(settings.consumer(topicName));
                consumer = c;
                List<TopicPartition> partitions = assign(c);
                backoff = Duration.ofMillis(200);
                follow(c, partitions);
            } catch (WakeupException e) {
                // close() or a read request before assignment: loop re-checks running
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("topic log %s: %s; retrying in %d ms", topicName, e.getMessage(), backoff.toMillis());
                    sleep(backoff);
                    backoff = KafkaSettings.nextBackoff(backoff);
                }
            } finally {
                consumer = null;
                if (c != null) {
                    // nothing to commit (no group) and nothing to wait for: a parked fetch need not be answered
                    c.close(Duration.ZERO);
                }
            }
        }
        pending.forEach(p -> readRequests.add(p.future));
        readPastRequests.forEach(p -> readRequests.add(p.future));
        CompletableFuture<Void> f;
        while ((f = readRequests.poll()) != null) {
            f.completeExceptionally(new IllegalStateException("topic log " + topicName + " closed"));
        }
    }

    /** Where to continue after the consumer is recreated (a broker outage): never re-apply, never skip. */
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();

    private List<TopicPartition> assign(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topicName, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topicName + " does not exist yet");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : infos) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        c.assign(partitions);
        for (TopicPartition tp : partitions) {
            Long at = resumeAt.get(tp);
            if (at == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, at);
            }
        }
        return partitions;
    }

    private void follow(KafkaConsumer<String, byte[]> c, List<TopicPartition> partitions) {
        while (running) {
            try {
                if (!readRequests.isEmpty()) {
                    // One question answers every request made before it was asked.
                    List<CompletableFuture<Void>> asked = List.copyOf(readRequests);
                    Map<TopicPartition, Long> ends = endOffsets.of(partitions, Duration.ofSeconds(10));
                    for (CompletableFuture<Void> request : asked) {
                        readRequests.remove(request);
                        pending.add(new Pending(request, ends));
                    }
                }
                Pending known;
                while ((known = readPastRequests.poll()) != null) {
                    pending.add(known);
                }
                completeReached(c);
                ConsumerRecords<String, byte[]> records;
                polling = true;
                try {
                    records = c.poll(Duration.ofMillis(100));
                } finally {
                    polling = false;
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    apply(r);
                    resumeAt.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                completeReached(c);
            } catch (WakeupException e) {
                // close(), or a read request (readToEnd) cutting a poll or an end-offsets call short: the
                // loop takes it from the top; a record is applied only once its poll returned it
                if (!running) {
                    throw e;
                }
            }
        }
    }

    private void completeReached(KafkaConsumer<String, byte[]> c) {
        pending.removeIf(p -> {
            for (Map.Entry<TopicPartition, Long> end : p.endOffsets.entrySet()) {
                if (c.position(end.getKey()) < end.getValue()) {
                    return false;
                }
            }
            p.future.complete(null);
            return true;
        });
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        T event = null;
        if (r.value() != null) {
            try {
                event = EventJson.read(r.value(), type);
            } catch (EventJson.MalformedEventException e) {
                LOG.errorf("topic %s offset %d key %s: skipped, %s", topicName, r.offset(), r.key(), e.getMessage());
                return;
            }
        }
        try {
            handler.apply(r.key(), event, r.offset());
            recordsApplied++;
        } catch (RuntimeException e) {
            LOG.errorf(e, "topic %s offset %d key %s: handler failed", topicName, r.offset(), r.key());
        }
    }

    /** Waits {@code d}, or until {@link #close()}. */
    private void sleep(Duration d) {
        try {
            closing.await(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        closing.countDown(); // ends a backoff
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // ends a poll or a metadata call; the consumer is then closed on its own thread
        }
        // Interrupted only if it has not ended within a second (an end-offsets question in flight): a consumer closed on
        // an interrupted thread logs an ERROR with a stack trace ("Failed to close fetcher"), at every shutdown.
        try {
            thread.join(1_000);
            if (thread.isAlive()) {
                thread.interrupt();
            }
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsEndOffsets) {
            endOffsets.close();
        }
    }

    @Override
    public String toString() {
        return "TopicLog[" + topic.baseName() + " as " + topicName + "]";
    }

    private record Pending(CompletableFuture<Void> future, Map<TopicPartition, Long> endOffsets) {
    }
}
