package org.redissync.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a desired-state write reports for each answer Kafka can give: the outcome must be the truth (a write reported as
 * "nothing written" must not be committed; one that may be committed is never reported so). Kafka's own
 * {@link MockProducer} with scripted answers and a fake clock; the real broker's pauses are in {@code SingleWriterIT}.
 */
class WriteTransactionTest {

    static final Duration BUDGET = Duration.ofSeconds(15);
    static final List<ProducerRecord<String, byte[]>> RECORDS = List.of(record("crdb.config", "g1"), record("bdb.config", "1"));

    final AtomicLong nanos = new AtomicLong();
    ScriptedProducer producer;
    WriteTransaction tx;

    @BeforeEach
    void producer() {
        producer = new ScriptedProducer();
        producer.initTransactions();
        tx = new WriteTransaction(producer, nanos::get, ms -> nanos.addAndGet(ms * 1_000_000));
    }

    @Test
    void aCommitThatTimedOutIsAskedAgainAndItsOffsetsReturnedNotReportedAsFailed() throws Exception {
        producer.commits.add(timeout());
        producer.commits.add(timeout());

        Map<TopicPartition, Long> written = tx.publish(RECORDS, BUDGET);

        assertThat(written).containsOnlyKeys(new TopicPartition("crdb.config", 0), new TopicPartition("bdb.config", 0));
        assertThat(producer.history()).hasSize(2); // committed once
        assertThat(producer.commitCalls).isEqualTo(3);
        assertThat(producer.abortCalls).as("an abort after a timed-out commit is refused by Kafka").isZero();
    }

    @Test
    void aCommitNeverAnsweredIsUnconfirmedNeverNothingWritten() {
        for (int i = 0; i < 100; i++) {
            producer.commits.add(timeout());
        }

        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOf(WriteTransaction.Unconfirmed.class)
                .hasMessageContaining("did not confirm").hasMessageContaining("may yet take effect");
        assertThat(producer.abortCalls).isZero();
        assertThat(producer.commitCalls).as("asked until the budget was spent (1 s a call)").isBetween(15, 17);
    }

    @Test
    void anAbortableErrorIsAbortedAndTheWholeTransactionTriedAgain() throws Exception {
        // the producer's words after a batch that exhausted its retries (seen after podman kube play)
        producer.commits.add(new KafkaException("Cannot execute transactional method because we are in an error state",
                new TransactionAbortableException("Transaction Request was aborted after exhausting retries.")));

        tx.publish(RECORDS, BUDGET);

        assertThat(producer.abortCalls).isEqualTo(1);
        assertThat(producer.beginCalls).isEqualTo(2);
        assertThat(producer.history()).as("only the second attempt's records are committed").hasSize(2);
    }

    @Test
    void aTransientFailureThatOutlastsTheBudgetIsNothingWrittenWithTheProducerStillUsable() {
        for (int i = 0; i < 100; i++) {
            producer.commits.add(new TransactionAbortableException("Transaction Request was aborted after exhausting retries."));
        }

        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOfSatisfying(WriteTransaction.NotWritten.class, e -> {
            assertThat(e.producerUsable).isTrue();
            assertThat(e).hasMessageContaining("nothing was written").hasMessageContaining("TransactionAbortableException");
        });
        assertThat(producer.history()).isEmpty();
        assertThat(producer.abortCalls).isEqualTo(producer.beginCalls).isGreaterThan(5);
        assertThat(nanos.get()).isGreaterThanOrEqualTo(BUDGET.toNanos());
    }

    @Test
    void aFailureKafkaDoesNotCallTransientIsAbortedAndNotTriedAgain() {
        producer.commits.add(new RecordTooLargeException("too large"));

        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOf(WriteTransaction.NotWritten.class)
                .hasMessageContaining("1 attempt)").hasMessageContaining("RecordTooLargeException");
        assertThat(producer.beginCalls).isEqualTo(1);
        assertThat(producer.abortCalls).isEqualTo(1);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aFencedCommitIsFenced() {
        producer.commits.add(new ProducerFencedException("newer epoch"));

        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOf(WriteTransaction.Fenced.class);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void anAbortThatFailsLeavesNothingWrittenButTheProducerSpent() {
        producer.commits.add(new TransactionAbortableException("aborted after exhausting retries"));
        producer.abortTransactionException = new KafkaException("fatal");

        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOfSatisfying(WriteTransaction.NotWritten.class,
                e -> assertThat(e.producerUsable).isFalse());
    }

    @Test
    void aCommitThatTimedOutAndIsThenRefusedIsNothingWrittenOnlyIfTheAbortIsTaken() throws Exception {
        producer.commits.add(timeout());
        producer.commits.add(new TransactionAbortableException("refused"));
        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOf(WriteTransaction.NotWritten.class);
        assertThat(producer.history()).isEmpty();

        producer();
        producer.commits.add(timeout());
        producer.commits.add(new TransactionAbortableException("refused"));
        producer.abortTransactionException = new KafkaException("fatal");
        assertThatThrownBy(() -> tx.publish(RECORDS, BUDGET)).isInstanceOf(WriteTransaction.Unconfirmed.class)
                .hasMessageContaining("neither confirmed nor aborted");
    }

    @Test
    void onlyWhatKafkaCallsRetriableOrAbortableIsWorthAnotherAttempt() {
        assertThat(WriteTransaction.worthRetrying(timeout())).isTrue();
        assertThat(WriteTransaction.worthRetrying(new KafkaException("in an error state", new TransactionAbortableException("x"))))
                .isTrue();
        assertThat(WriteTransaction.worthRetrying(new RecordTooLargeException("x"))).isFalse();
        assertThat(WriteTransaction.worthRetrying(new KafkaException("fatal"))).isFalse();
    }

    private TimeoutException timeout() {
        return new TimeoutException("Timeout expired after 1000ms while awaiting EndTxn(true)");
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key) {
        return new ProducerRecord<>(topic, key, "{}".getBytes(StandardCharsets.UTF_8));
    }

    /** Kafka's mock with answers to commitTransaction given in order; a timeout takes a second of the fake clock. */
    final class ScriptedProducer extends MockProducer<String, byte[]> {
        final Deque<RuntimeException> commits = new ArrayDeque<>();
        int commitCalls;
        int abortCalls;
        int beginCalls;

        ScriptedProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public void beginTransaction() {
            beginCalls++;
            super.beginTransaction();
        }

        @Override
        public void commitTransaction() {
            commitCalls++;
            RuntimeException next = commits.poll();
            if (next instanceof TimeoutException) {
                nanos.addAndGet(1_000_000_000L);
            }
            if (next != null) {
                throw next;
            }
            super.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            abortCalls++;
            super.abortTransaction();
        }
    }
}
