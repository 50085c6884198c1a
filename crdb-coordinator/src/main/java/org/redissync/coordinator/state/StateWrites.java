package org.redissync.coordinator.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.SuiteEvent;
import org.redissync.events.kafka.SingleWriter;
import org.redissync.events.kafka.TopicLog;

/**
 * Every write of the desired state and of tasks, its read-back, and what each outcome tells the API's caller, said
 * here once. The answer must be the truth, because clients act on it: {@code unavailable} (503) only when nothing
 * was written, so repeating the request is safe; {@code change_not_confirmed} (503) when Kafka may have taken the
 * change, or took it and this coordinator has not read it back, so the caller reads the state before repeating it.
 *
 * <p>A change written and not read back is a gate: the next write first waits until the views have read past it,
 * and is refused ({@code unavailable}, nothing written) while they have not, because its validations (names, ports,
 * generations) would run against a state without the last change.
 */
@Singleton
public class StateWrites {

    private static final Logger LOG = Logger.getLogger(StateWrites.class);
    /** How long a write may take (transient refusals tried again, an unanswered commit asked again), and its read-back. */
    static final Duration WAIT = Duration.ofSeconds(15);

    /** What writes: {@link SingleWriter#publishAll}. */
    @FunctionalInterface
    interface Publish {
        Map<TopicPartition, Long> publishAll(List<? extends SuiteEvent> events, Duration wait);
    }

    /** A view that reads past what was written: {@link TopicLog#readPast}. */
    @FunctionalInterface
    interface ReadBack {
        CompletableFuture<Void> readPast(Map<TopicPartition, Long> written);
    }

    private final Publish writer;
    private final List<ReadBack> views;
    /** Offsets written and not read back yet by every view; empty when none. Guarded by this. */
    private Map<TopicPartition, Long> unread = Map.of();

    @Inject
    StateWrites(CoordinatorEvents events) {
        this(events.writer()::publishAll, List.<TopicLog<?>>of(events.bdbs().log(), events.crdbs().log(), events.tasks().log(),
                events.settings().log()).stream().<ReadBack>map(v -> v::readPast).toList());
    }

    StateWrites(Publish writer, List<ReadBack> views) {
        this.writer = writer;
        this.views = views;
    }

    /** Publishes {@code events} as one transaction and waits until every view has read past them. */
    public synchronized void publishAndReadBack(List<? extends SuiteEvent> events) {
        if (!unread.isEmpty()) {
            try {
                readBack(unread);
                unread = Map.of();
            } catch (ExecutionException | TimeoutException e) {
                throw new ApiException(ApiError.UNAVAILABLE, "this coordinator has not read its last change back yet ("
                        + why(e) + "); nothing was changed: retry");
            }
        }
        Map<TopicPartition, Long> written;
        try {
            written = writer.publishAll(events, WAIT);
        } catch (SingleWriter.NotWriter e) {
            throw new ApiException(ApiError.UNAVAILABLE, e.getMessage());
        } catch (SingleWriter.Unconfirmed e) {
            LOG.warnf("a change of the desired state is not confirmed: %s", e.getMessage());
            throw new ApiException(ApiError.NOT_CONFIRMED, "Kafka did not confirm the change: " + e.getMessage());
        } catch (KafkaException e) {
            // the writer proved nothing was written (aborted), after trying again while Kafka called it transient
            LOG.warnf("a change of the desired state was not written: %s", e.getMessage());
            throw new ApiException(ApiError.UNAVAILABLE, "Kafka did not take the change: " + e.getMessage() + "; repeating it is safe");
        }
        try {
            readBack(written);
        } catch (ExecutionException | TimeoutException e) {
            unread = written;
            LOG.warnf("a committed change of the desired state was not read back: %s", why(e));
            throw new ApiException(ApiError.NOT_CONFIRMED, "the change was written, and this coordinator has not read it back ("
                    + why(e) + "); it takes effect: read the state back rather than repeating the change");
        }
    }

    private void readBack(Map<TopicPartition, Long> written) throws ExecutionException, TimeoutException {
        try {
            CompletableFuture.allOf(views.stream().map(v -> v.readPast(written)).toArray(CompletableFuture[]::new))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        }
    }

    private static String why(Exception e) {
        return e instanceof TimeoutException t ? (t.getMessage() != null ? t.getMessage() : "not within " + WAIT.toSeconds() + " s")
                : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
    }
}
