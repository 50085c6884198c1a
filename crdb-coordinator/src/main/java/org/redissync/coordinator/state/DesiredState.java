package org.redissync.coordinator.state;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.RedisAddress;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.SuiteEvent;
import org.redissync.events.kafka.SingleWriter;

/**
 * The desired state, whose source of truth is the compacted {@code crdb.config} / {@code bdb.config}
 * topics (no other database). One coordinator of a deployment writes them, the holder of the
 * {@link SingleWriter} lease (others answer changes with 503); in it every change runs under one lock,
 * each {@link #write} is one Kafka transaction, and returns only once the events are back from the
 * broker (read-your-writes). A restarted coordinator rebuilds all of it by reading the topics.
 */
@Singleton
public class DesiredState {

    private final CoordinatorEvents events;
    private final CoordinatorConfig config;
    private final StateWrites writes;
    private final ReentrantLock writer = new ReentrantLock();

    DesiredState(CoordinatorEvents events, CoordinatorConfig config, StateWrites writes) {
        this.events = events;
        this.config = config;
        this.writes = writes;
        config.api().defaultCluster().map(String::strip).filter(c -> !c.isEmpty() && !config.clusters().containsKey(c)).ifPresent(c -> {
            throw new IllegalStateException("redissync.api.default-cluster: '" + c + "' is not one of the clusters "
                    + config.clusters().keySet().stream().sorted().toList());
        });
    }

    /** Runs {@code change} as the single writer: validations and writes see no concurrent change. */
    public <T> T change(Supplier<T> change) {
        requireWriter();
        try {
            if (!writer.tryLock(30, TimeUnit.SECONDS)) {
                throw new ApiException(ApiError.BUSY, "another change is in progress; retry");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.BUSY, "interrupted");
        }
        try {
            return change.get();
        } finally {
            writer.unlock();
        }
    }

    /** Publishes the events in order and waits until the coordinator's own views (config and tasks) have read them back. */
    public void write(List<? extends SuiteEvent> changes) {
        if (!writer.isHeldByCurrentThread()) {
            throw new IllegalStateException("write outside change()");
        }
        // one transaction, committed only while this coordinator holds the lease; then read back past its own records
        // (this is the topics' one writer: nothing else can be behind them)
        writes.publishAndReadBack(changes);
    }

    /** 503 on a standby coordinator: another one writes the desired state (nothing is validated or written here). */
    public void requireWriter() {
        if (!events.writer().isWriter()) {
            throw new ApiException(ApiError.UNAVAILABLE, switch (events.writer().role()) {
                case TAKING_OVER -> "this coordinator is taking over the desired state; retry in a moment";
                case CLOSED -> "this coordinator is shutting down";
                default -> "this coordinator is a standby: another coordinator writes the desired state; retry there, or here once it is gone";
            });
        }
    }

    /** Every live bdb by uid. */
    public Map<Long, BdbConfigured> bdbs() {
        Map<Long, BdbConfigured> out = new TreeMap<>();
        for (BdbConfigEvent e : events.bdbs().all().values()) {
            if (e instanceof BdbConfigured b) {
                out.put(b.uid(), b);
            }
        }
        return out;
    }

    public Optional<BdbConfigured> bdb(long uid) {
        return events.bdbs().get(Long.toString(uid)).filter(BdbConfigured.class::isInstance).map(BdbConfigured.class::cast);
    }

    /** The last generation a bdb uid had, deleted or not (generations never go back). */
    public long lastGeneration(long uid) {
        return events.bdbs().get(Long.toString(uid)).map(BdbConfigEvent::generation).orElse(0L);
    }

    public Map<String, CrdbConfigured> crdbs() {
        Map<String, CrdbConfigured> out = new TreeMap<>();
        for (CrdbConfigEvent e : events.crdbs().all().values()) {
            if (e instanceof CrdbConfigured c) {
                out.put(c.guid(), c);
            }
        }
        return out;
    }

    public Optional<CrdbConfigured> crdb(String guid) {
        return events.crdbs().get(guid).filter(CrdbConfigured.class::isInstance).map(CrdbConfigured.class::cast);
    }

    /** A uid never used before (deleted ones included). */
    /** Whether any bdb, live or deleted, has had {@code uid}. */
    public boolean uidEverUsed(long uid) {
        return events.bdbs().all().values().stream().anyMatch(e -> e.uid() == uid);
    }

    public long nextBdbUid() {
        return events.bdbs().all().values().stream().mapToLong(BdbConfigEvent::uid).max().orElse(0) + 1;
    }

    /** The lowest free endpoint port of the configured range, skipping {@code taken}. */
    public int freePort(Set<Integer> taken) {
        Set<Integer> used = bdbs().values().stream().map(BdbConfigured::port).collect(Collectors.toSet());
        for (int p = config.ports().min(); p <= config.ports().max(); p++) {
            if (!used.contains(p) && !taken.contains(p)) {
                return p;
            }
        }
        throw new ApiException(ApiError.INVALID_CONFIGURATION, "no free endpoint port in " + config.ports().min() + "-"
                + config.ports().max());
    }

    public CoordinatorConfig.Cluster cluster(String name) {
        CoordinatorConfig.Cluster c = name == null ? null : config.clusters().get(name);
        if (c == null) {
            throw new ApiException(ApiError.UNKNOWN_CLUSTER, "unknown cluster '" + name + "'; known: "
                    + config.clusters().keySet().stream().sorted().toList());
        }
        return c;
    }

    /**
     * The cluster a request that names none goes to ({@code redissync.api.default-cluster}, or the only cluster);
     * {@code 400 unknown_cluster} saying how to name one when there is none.
     */
    public String defaultCluster(String what) {
        Optional<String> configured = config.api().defaultCluster().map(String::strip).filter(c -> !c.isEmpty());
        if (configured.isPresent()) {
            cluster(configured.get());
            return configured.get();
        }
        if (config.clusters().size() == 1) {
            return config.clusters().keySet().iterator().next();
        }
        throw new ApiException(ApiError.UNKNOWN_CLUSTER, what + ": say which cluster; known: " + config.clusters().keySet().stream().sorted()
                .toList() + " (no default cluster is configured: redissync.api.default-cluster)");
    }

    public Set<String> clusterNames() {
        return config.clusters().keySet();
    }

    /** The bdb whose endpoint is {@code host:port}, if it is one of the suite's. */
    public Optional<BdbConfigured> bdbAtEndpoint(String host, int port) {
        return bdbs().values().stream()
                .filter(b -> b.port() == port)
                .filter(b -> {
                    String h = cluster(b.cluster()).endpointHost();
                    return h.equalsIgnoreCase(host) || "localhost".equalsIgnoreCase(host) && "127.0.0.1".equals(h)
                            || "127.0.0.1".equals(host) && "localhost".equalsIgnoreCase(h);
                })
                .min(Comparator.comparingLong(BdbConfigured::uid));
    }
}
