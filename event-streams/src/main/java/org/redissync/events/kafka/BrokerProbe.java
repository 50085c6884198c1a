package org.redissync.events.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Answers "can this service talk to the Kafka cluster right now?" for readiness checks: one
 * {@code describeCluster} round trip with a short timeout, the answer kept for a second so a busy
 * health endpoint does not flood the broker.
 */
public final class BrokerProbe implements AutoCloseable {

    private final OnDemand<Admin> admin;
    private final Clock clock;
    private final Duration timeout;
    private volatile Instant checkedAt = Instant.EPOCH;
    private volatile Result last = new Result(false, "not checked yet");

    public record Result(boolean reachable, String detail) {
    }

    public BrokerProbe(KafkaSettings settings, Clock clock, Duration timeout) {
        var config = settings.admin();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-probe");
        this.admin = new OnDemand<>(() -> Admin.create(config));
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Blocking (up to the timeout): call from a worker thread, never an event loop. */
    public Result check() {
        Instant now = clock.instant();
        if (Duration.between(checkedAt, now).compareTo(Duration.ofSeconds(1)) < 0) {
            return last;
        }
        Result r;
        try {
            var nodes = admin.get().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            r = nodes.isEmpty() ? new Result(false, "no broker available") : new Result(true, nodes.size() + " broker(s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = new Result(false, "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            r = new Result(false, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        last = r;
        checkedAt = clock.instant();
        return r;
    }

    @Override
    public void close() {
        admin.close(a -> a.close(Duration.ofSeconds(2)));
    }
}
