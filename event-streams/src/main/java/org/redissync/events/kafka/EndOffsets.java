package org.redissync.events.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the topics end now, asked over a connection of its own: the basis of
 * {@link TopicLog#readToEnd()}.
 *
 * <p>Why not the reading consumer's own {@code endOffsets}: a broker answers the requests of one
 * connection in order, and the consumer's connection usually has a fetch parked in the broker, waiting
 * up to {@code fetch.max.wait.ms} for records. An end-offsets request sent behind it waits as long
 * (measured: {@code crdb update --encryption} took 0.9 s instead of 0.4 at Kafka's default 500 ms, each
 * hop of a switch waiting out a parked fetch), and the way round that — a 50 ms fetch wait — made every
 * idle reader ask the broker 20 times a second (a third of a core for the idle 3-cluster suite). Asked
 * here, the fetch can wait the default 500 ms and a read-your-writes costs a round trip.
 *
 * <p>One per service, shared by its readers; thread-safe.
 */
public final class EndOffsets implements AutoCloseable {

    private final OnDemand<Admin> admin;

    public EndOffsets(KafkaSettings settings) {
        Map<String, Object> config = settings.admin();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-end-offsets");
        this.admin = new OnDemand<>(() -> Admin.create(config));
    }

    /**
     * The offset after the last record a {@code read_committed} reader can see, per partition.
     * Blocking (up to {@code timeout}): call from a reader's own thread. Throws {@link KafkaException} when
     * the broker does not answer.
     */
    public Map<TopicPartition, Long> of(Collection<TopicPartition> partitions, Duration timeout) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        try {
            var answer = admin.get().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)
                            .timeoutMs((int) timeout.toMillis()))
                    .all().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> ends = new HashMap<>();
            answer.forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking where " + partitions + " end", e);
        } catch (TimeoutException e) {
            throw new KafkaException("no answer within " + timeout.toMillis() + " ms to where " + partitions + " end");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new KafkaException("cannot ask where " + partitions + " end: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        admin.close(a -> a.close(Duration.ofSeconds(2)));
    }
}
