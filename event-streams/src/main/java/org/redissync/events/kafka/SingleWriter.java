package org.redissync.events.kafka;

import org.redissync.events.EventJson;
import org.redissync.events.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.redissync.events.SuiteEvent;

/**
 * The one writer of a deployment's desired state, among any number of coordinators (a rolling
 * update, a second replica started by mistake, a paused JVM that wakes up). Design note:
 * {@code docs/events.md#one-writer}.
 *
 * <ul>
 *   <li><b>Lease:</b> membership of the consumer group {@code <prefix>crdb-coordinator.writer},
 *       subscribed to {@code crdb.config}'s one partition. Kafka's group coordinator gives that
 *       partition to one member at a time; the member paused it at once, so nothing is fetched. A
 *       writer that stops leaves the group and the next member gets the partition in about a
 *       second; one that dies loses it after {@code session.timeout.ms} (10 s).</li>
 *   <li><b>Fence:</b> every write is a Kafka transaction of the one transactional id
 *       {@code <prefix>crdb-coordinator}. Taking over calls {@code initTransactions}, which bumps
 *       the id's epoch and aborts whatever the previous writer left open: a writer that still
 *       believes it holds the lease has its next commit refused by the broker
 *       ({@link ProducerFencedException}), never applied.</li>
 *   <li><b>Catch-up:</b> after the fence, {@code caughtUp} reads every desired-state topic to its
 *       end before the first write, so the new writer validates against all that the old one
 *       committed (readers are {@code read_committed}).</li>
 * </ul>
 *
 * <p>{@link #publishAll} is serialised (one transaction at a time); it throws {@link NotWriter}
 * on a standby, which the API answers with 503.
 */
public final class SingleWriter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SingleWriter.class);

    public enum Role {
        /** Not in the group yet, or between two assignments. */
        STANDBY,
        /** Holds the lease; fencing the previous writer and reading to the end. */
        TAKING_OVER,
        WRITER,
        CLOSED
    }

    /** Thrown by {@link #publishAll} when this process may not write now; nothing was written. */
    public static final class NotWriter extends RuntimeException {
        public NotWriter(String message) {
            super(message);
        }
    }

    /**
     * Thrown by {@link #publishAll} when the commit was asked for and Kafka did not answer in time: the write may yet
     * take effect (or not); this process steps down and takes the lease over again, which settles it.
     */
    public static final class Unconfirmed extends RuntimeException {
        public Unconfirmed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Run after the fence and before the first write; throws when the state cannot be read to its end. */
    @FunctionalInterface
    public interface CatchUp {
        void run() throws Exception;
    }

    private final KafkaSettings settings;
    private final String groupId;
    private final String transactionalId;
    private final CatchUp caughtUp;
    private final ReentrantLock transaction = new ReentrantLock();
    private final List<Runnable> onWriter = new CopyOnWriteArrayList<>();
    private volatile Role role = Role.STANDBY;
    private volatile boolean rejoin;
    private volatile boolean closed;
    private KafkaProducer<String, byte[]> producer; // guarded by transaction
    private KafkaConsumer<byte[], byte[]> consumer; // lease thread only
    private Thread thread;

    /**
     * @param name what the group and the transactional id are called under the settings' topic prefix
     *             ({@code crdb-coordinator}): every process of one deployment must use the same name
     */
    public SingleWriter(KafkaSettings settings, String name, CatchUp caughtUp) {
        this.settings = settings;
        this.groupId = settings.topicPrefix() + name + ".writer";
        this.transactionalId = settings.topicPrefix() + name;
        this.caughtUp = caughtUp;
    }

    public synchronized SingleWriter start() {
        if (thread == null) {
            thread = new Thread(this::run, "single-writer");
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    public Role role() {
        return role;
    }

    public boolean isWriter() {
        return role == Role.WRITER;
    }

    /** {@code action} runs (on the lease thread) each time this process becomes the writer. */
    public void onWriter(Runnable action) {
        onWriter.add(action);
    }

    /**
     * Writes {@code events} as one transaction: all of them become visible to {@code read_committed}
     * readers together, or none. Blocking; returns once the broker committed them, with the offset each
     * partition's last one got: {@link TopicLog#readPast} of them is this writer's read-your-writes.
     *
     * <p>Transient refusals are tried again within {@code wait}, and a commit Kafka did not answer is asked again:
     * {@link WriteTransaction}.
     *
     * @throws NotWriter on a standby, or when a newer writer fenced this one (nothing written)
     * @throws KafkaException when Kafka did not take them (aborted: nothing written)
     * @throws Unconfirmed when the commit was asked for and not answered within {@code wait}: they may yet be written
     */
    public Map<TopicPartition, Long> publishAll(List<? extends SuiteEvent> events, Duration wait) {
        if (role != Role.WRITER) {
            throw notWriter();
        }
        if (events.isEmpty()) {
            return Map.of();
        }
        try {
            if (!transaction.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new KafkaException("another write did not end within " + wait.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        }
        try {
            if (role != Role.WRITER || producer == null) {
                throw notWriter();
            }
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
            for (SuiteEvent e : events) {
                records.add(new ProducerRecord<>(settings.topic(Topic.of(e.getClass())), e.key(), EventJson.write(e)));
            }
            try {
                return new WriteTransaction(producer, System::nanoTime, Thread::sleep).publish(records, wait);
            } catch (WriteTransaction.Fenced e) {
                LOG.warnf("another coordinator took over the desired state (%s): this one is a standby now", e.getMessage());
                giveUpProducer();
                throw new NotWriter("another coordinator writes the desired state now (this one was fenced); nothing was written");
            } catch (WriteTransaction.NotWritten e) {
                if (!e.producerUsable) {
                    // the next writer (maybe this process again) starts afresh
                    giveUpProducer();
                }
                throw new KafkaException(e.getMessage(), e.getCause());
            } catch (WriteTransaction.Unconfirmed e) {
                // whichever coordinator takes over next fences this producer: its initTransactions completes or aborts
                // the transaction, and its catch-up reads what became of it before anything else is written
                LOG.warnf("a desired-state write is unconfirmed (%s): taking the lease over again to settle it", e.getMessage());
                giveUpProducer();
                throw new Unconfirmed(e.getMessage() + "; read the state back before repeating the change", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted", e);
            }
        } finally {
            transaction.unlock();
        }
    }

    private NotWriter notWriter() {
        return new NotWriter(switch (role) {
            case TAKING_OVER -> "this coordinator is taking over the desired state (reading it to the end); retry";
            case CLOSED -> "this coordinator is shutting down";
            default -> "this coordinator is a standby: another one writes the desired state";
        });
    }

    private void run() {
        Duration backoff = Duration.ofMillis(250);
        while (!closed) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.leaseConsumer(groupId))) {
                consumer = c;
                c.subscribe(List.of(settings.topic(Topic.CRDB_CONFIG)), new Lease());
                while (!closed) {
                    c.poll(Duration.ofSeconds(1));
                    if (rejoin) {
                        // fenced, or the take-over failed: let the group choose again (maybe this process)
                        rejoin = false;
                        stepDown();
                        c.unsubscribe();
                        c.subscribe(List.of(settings.topic(Topic.CRDB_CONFIG)), new Lease());
                    }
                    backoff = Duration.ofMillis(250);
                }
            } catch (WakeupException e) {
                // close()
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warnf("single-writer lease: %s; joining again in %d ms", e.getMessage(), backoff.toMillis());
                stepDown();
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = KafkaSettings.nextBackoff(backoff);
            } finally {
                consumer = null;
            }
        }
        stepDown();
    }

    /** Runs on the lease thread, inside poll. */
    private final class Lease implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || closed) {
                return;
            }
            consumer.pause(partitions);
            takeOver();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                stepDown();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            stepDown();
        }
    }

    private void takeOver() {
        role = Role.TAKING_OVER;
        LOG.infof("holding the desired-state lease (%s): fencing any earlier writer", groupId);
        transaction.lock();
        try {
            dropProducer();
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(settings.transactionalProducer(transactionalId));
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
        } catch (RuntimeException e) {
            LOG.warnf("could not fence the earlier writer (%s); joining again", e.getMessage());
            role = Role.STANDBY;
            rejoin = true;
            return;
        } finally {
            transaction.unlock();
        }
        try {
            caughtUp.run();
        } catch (Exception e) {
            LOG.warnf("could not read the desired state to its end (%s); joining again", e.getMessage());
            stepDown();
            rejoin = true;
            return;
        }
        if (role == Role.TAKING_OVER && !closed) {
            role = Role.WRITER;
            LOG.infof("this coordinator writes the desired state (transactional id %s)", transactionalId);
            onWriter.forEach(a -> {
                try {
                    a.run();
                } catch (RuntimeException e) {
                    LOG.warnf("on becoming the writer: %s", e.getMessage());
                }
            });
        }
    }

    /** Under the transaction lock: drops the producer and asks the group to choose the writer again. */
    private void giveUpProducer() {
        dropProducer();
        role = Role.STANDBY;
        rejoin = true;
    }

    /** Waits for a write under way, then gives the producer up. */
    private void stepDown() {
        if (role != Role.CLOSED) {
            if (role == Role.WRITER) {
                LOG.infof("gave up the desired-state lease: standby");
            }
            role = closed ? Role.CLOSED : Role.STANDBY;
        }
        transaction.lock();
        try {
            dropProducer();
        } finally {
            transaction.unlock();
        }
    }

    private void dropProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.debugf("closing the transactional producer: %s", e.getMessage());
            }
            producer = null;
        }
    }

    /** Gives the lease up at once (the group hands it to the next coordinator) and stops. */
    @Override
    public void close() {
        closed = true;
        role = Role.CLOSED;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stepDown();
    }
}
