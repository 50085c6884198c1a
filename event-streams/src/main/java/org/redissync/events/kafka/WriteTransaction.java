package org.redissync.events.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.jboss.logging.Logger;

/**
 * One write of the desired state as a Kafka transaction, with an outcome the caller can trust. Design note:
 * {@code docs/events.md#one-writer}.
 *
 * <ul>
 *   <li><b>Nothing written</b> ({@link NotWritten}) only when Kafka proved it: the transaction was aborted, or no commit
 *       was ever asked for. While the cause is transient (a timeout, a retriable error, Kafka's
 *       {@link TransactionAbortableException}) and time is left, the whole transaction is tried again: an aborted
 *       transaction left nothing for {@code read_committed} readers, so the retry cannot write anything twice.</li>
 *   <li><b>A commit that timed out</b> is not a failure: the broker may have taken it. Kafka's contract is to call
 *       {@code commitTransaction} again (the same transaction, never a second one) until it answers; that is done
 *       until the time is up, and then the write is {@link Unconfirmed}: it may yet take effect. Answering "nothing
 *       written" there is how a client once retried a create that had in fact been committed (409 name_in_use).</li>
 *   <li><b>Fenced</b> ({@link Fenced}): a newer writer holds the transactional id; the broker refused the commit.</li>
 * </ul>
 */
final class WriteTransaction {

    private static final Logger LOG = Logger.getLogger(WriteTransaction.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 1000;

    /** A newer writer holds the transactional id: nothing of this write was committed. */
    static final class Fenced extends Exception {
        Fenced(KafkaException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Kafka proved that nothing of this write was committed. {@code producerUsable}: may it take the next write? */
    static final class NotWritten extends Exception {
        final boolean producerUsable;

        NotWritten(String message, KafkaException cause, boolean producerUsable) {
            super(message, cause);
            this.producerUsable = producerUsable;
        }
    }

    /** The commit was asked for and not answered in time: the write may yet take effect. The producer must be dropped. */
    static final class Unconfirmed extends Exception {
        Unconfirmed(String message, KafkaException cause) {
            super(message, cause);
        }
    }

    /** Waits between attempts (tests pass one that does not sleep). */
    @FunctionalInterface
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private final Producer<String, byte[]> producer;
    private final LongSupplier nanoTime;
    private final Pause pause;

    WriteTransaction(Producer<String, byte[]> producer, LongSupplier nanoTime, Pause pause) {
        this.producer = producer;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    /**
     * Writes {@code records} as one transaction, trying again while Kafka says nothing was written and {@code budget} is
     * not spent; a commit that timed out is asked again until {@code budget} is spent.
     *
     * @return for each partition written, the offset of its last record
     */
    Map<TopicPartition, Long> publish(List<ProducerRecord<String, byte[]>> records, Duration budget)
            throws Fenced, NotWritten, Unconfirmed, InterruptedException {
        long deadline = nanoTime.getAsLong() + budget.toNanos();
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1;; attempt++) {
            KafkaException failure;
            boolean commitAsked = false;
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            try {
                producer.beginTransaction();
                for (ProducerRecord<String, byte[]> r : records) {
                    sent.add(producer.send(r));
                }
                commitAsked = true;
                producer.commitTransaction();
                return offsets(sent);
            } catch (ProducerFencedException | InvalidProducerEpochException | TransactionalIdAuthorizationException e) {
                throw new Fenced(e);
            } catch (TimeoutException e) {
                if (commitAsked) {
                    return confirm(sent, deadline, e);
                }
                failure = e;
            } catch (KafkaException e) {
                failure = e;
            }
            abort(failure, deadline);
            // aborted: nothing of this attempt is visible; another attempt cannot write anything twice
            long left = deadline - nanoTime.getAsLong();
            if (!worthRetrying(failure) || left <= 0) {
                throw new NotWritten("nothing was written (aborted after " + attempt + (attempt == 1 ? " attempt" : " attempts")
                        + "): " + describe(failure), failure, true);
            }
            LOG.warnf("a desired-state transaction was aborted, nothing written (%s); attempt %d in %d ms", describe(failure),
                    attempt + 1, backoff);
            pause.sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** The commit timed out: ask again (Kafka: the same transaction) until it answers or the time is up. */
    private Map<TopicPartition, Long> confirm(List<Future<RecordMetadata>> sent, long deadline, TimeoutException first)
            throws Fenced, NotWritten, Unconfirmed, InterruptedException {
        LOG.warnf("a desired-state commit was not answered in time (%s): asking again", first.getMessage());
        KafkaException last = first;
        while (nanoTime.getAsLong() < deadline) {
            try {
                producer.commitTransaction();
                LOG.infof("the desired-state commit that timed out is confirmed");
                return offsets(sent);
            } catch (ProducerFencedException | InvalidProducerEpochException | TransactionalIdAuthorizationException e) {
                throw new Fenced(e);
            } catch (TimeoutException e) {
                last = e;
            } catch (KafkaException e) {
                // the commit was answered with an error: not committed if, and only if, the abort is taken
                try {
                    abort(e, deadline);
                } catch (NotWritten abortFailed) {
                    throw new Unconfirmed("Kafka neither confirmed nor aborted the change (" + describe(e) + "); it may yet take "
                            + "effect", e);
                }
                throw new NotWritten("nothing was written (the commit was refused and the transaction aborted): " + describe(e), e,
                        true);
            }
        }
        throw new Unconfirmed("Kafka did not confirm the change in time (" + describe(last) + "); it may yet take effect", last);
    }

    /** Aborts the open transaction; a timeout is asked again until {@code deadline}. Throws when the producer is spent. */
    private void abort(KafkaException failure, long deadline) throws Fenced, NotWritten {
        while (true) {
            try {
                producer.abortTransaction();
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException | TransactionalIdAuthorizationException e) {
                throw new Fenced(e);
            } catch (TimeoutException e) {
                if (nanoTime.getAsLong() >= deadline) {
                    throw new NotWritten("nothing was written (" + describe(failure) + "), and the abort timed out", failure, false);
                }
            } catch (KafkaException e) {
                // a producer in a fatal state: nothing was committed by it (no commit was asked, or it was refused)
                throw new NotWritten("nothing was written (" + describe(failure) + "); the producer cannot go on: " + e.getMessage(),
                        failure, false);
            }
        }
    }

    /** The records' offsets: the commit flushed them, so their futures are done (an interrupt cannot lose them). */
    private static Map<TopicPartition, Long> offsets(List<Future<RecordMetadata>> sent) {
        Map<TopicPartition, Long> written = new HashMap<>();
        boolean interrupted = false;
        for (Future<RecordMetadata> f : sent) {
            while (true) {
                try {
                    RecordMetadata m = f.get();
                    written.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a record of a committed transaction has no offset", e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return written;
    }

    /** Worth another attempt: Kafka says so (retriable, or abortable), here or as the cause of "in an error state". */
    static boolean worthRetrying(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof TransactionAbortableException) {
                return true;
            }
        }
        return false;
    }

    /** The failure and, where Kafka wrapped it ("in an error state"), what it wraps. */
    static String describe(Throwable failure) {
        Throwable cause = failure.getCause();
        return failure.getClass().getSimpleName() + ": " + failure.getMessage()
                + (cause == null || cause == failure ? "" : " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")");
    }
}
