package org.redissync.coordinator.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.events.SuiteEvent;
import org.redissync.events.kafka.SingleWriter;
import org.redissync.events.kafka.TopicLog;

/**
 * A write of the desired state (or of tasks) and its read-back, and what each outcome tells the API's caller, said
 * here once. The answer must be the truth, because clients act on it: {@code unavailable} (503) only when nothing
 * was written, so repeating the request is safe; {@code change_not_confirmed} (503) when Kafka may have taken the
 * change, or took it and this coordinator has not read it back, so the caller reads the state before repeating it.
 */
public final class StateWrites {

    private static final Logger LOG = Logger.getLogger(StateWrites.class);
    /** How long a write may take (transient refusals tried again, an unanswered commit asked again), and its read-back. */
    static final Duration WAIT = Duration.ofSeconds(15);

    private StateWrites() {
    }

    /** Publishes {@code events} as one transaction and waits until each of {@code views} has read past them. */
    public static void publishAndReadBack(SingleWriter writer, List<? extends SuiteEvent> events, List<TopicLog<?>> views) {
        publishAndReadBack(writer::publishAll, events, views.stream().<ReadBack>map(v -> v::readPast).toList());
    }

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

    static void publishAndReadBack(Publish writer, List<? extends SuiteEvent> events, List<ReadBack> views) {
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
            CompletableFuture.allOf(views.stream().map(v -> v.readPast(written)).toArray(CompletableFuture[]::new))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notReadBack("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw notReadBack(e instanceof TimeoutException ? "not within " + WAIT.toSeconds() + " s" : e.getCause().getMessage());
        }
    }

    private static ApiException notReadBack(String why) {
        LOG.warnf("a committed change of the desired state was not read back: %s", why);
        return new ApiException(ApiError.NOT_CONFIRMED, "the change was written, and this coordinator has not read it back ("
                + why + "); it takes effect: read the state back rather than repeating the change");
    }
}
