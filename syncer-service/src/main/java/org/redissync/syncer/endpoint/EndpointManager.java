package org.redissync.syncer.endpoint;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.netty.handler.ssl.SslContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.plumbing.Coalescer;
import org.jboss.logging.Logger;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.TlsMode;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.syncer.pki.ClusterCertificates;
import org.redissync.syncer.shard.Backend;
import org.redissync.syncer.shard.ShardManager;

/**
 * Runs an {@link Endpoint} for every bdb of this cluster, reconfigured live from {@code bdb.config}
 * (level-triggered: every change, and every start, reconciles all of them), and reports each
 * applied generation on {@code syncer.status}. A new proxy certificate is swapped in for new
 * connections. All changes happen on one thread, in order.
 */
@Singleton
public class EndpointManager {

    private static final Logger LOG = Logger.getLogger(EndpointManager.class);

    private final SyncerEvents events;
    private final SyncerConfig config;
    private final ClusterCertificates certificates;
    private final EndpointMetrics metrics;
    private final Vertx vertx;
    private final Clock clock;
    private final Map<Long, Endpoint> endpoints = new HashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "endpoint-manager");
        t.setDaemon(true);
        return t;
    });
    private final Coalescer reconciles = new Coalescer(worker, this::reconcile);
    /** After a reconcile that left an endpoint not applied (its port taken, no certificate yet): the next try's delay. */
    private long retryMs = RETRY_INITIAL_MS;
    private static final long RETRY_INITIAL_MS = 250;
    private static final long RETRY_MAX_MS = 10_000;
    private volatile SslContext ssl;
    private final ShardManager shards;

    EndpointManager(SyncerEvents events, SyncerConfig config, ClusterCertificates certificates, EndpointMetrics metrics, Vertx vertx,
            Clock clock, ShardManager shards) {
        this.shards = shards;
        this.events = events;
        this.config = config;
        this.certificates = certificates;
        this.metrics = metrics;
        this.vertx = vertx;
        this.clock = clock;
        events.bdbs().onChange((key, e, offset) -> reconcileSoon());
        // RE's data TLS settings changed: a new context, for new connections
        events.settings().onChange((key, e, offset) -> {
            ssl = null;
            prepareTls();
            reconcileSoon();
        });
        certificates.onChange(role -> {
            if (role == org.redissync.events.CertRole.PROXY) {
                ssl = null;
                prepareTls();
                reconcileSoon();
            }
        });
    }

    void start(@Observes StartupEvent ignored) {
        prepareTls();
        events.streams().caughtUp().thenRun(this::reconcileSoon);
    }

    /**
     * Builds the endpoints' TLS context as soon as the proxy certificate is there, TLS in use or not:
     * the first OpenSSL context of a process takes about a second, which would otherwise delay the
     * first {@code tls_mode} change (and every channel waiting for it) by that much.
     */
    private void prepareTls() {
        if (!worker.isShutdown()) {
            worker.execute(() -> {
                try {
                    sslContext();
                } catch (RuntimeException e) {
                    LOG.warnf("endpoint TLS context not prepared: %s", e.getMessage());
                }
            });
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        worker.shutdownNow();
        endpoints.values().forEach(Endpoint::stop);
    }

    /** The endpoint of bdb {@code uid}, when this cluster runs it (tests, metrics). */
    public Endpoint endpoint(long uid) {
        return endpoints.get(uid);
    }

    private void reconcileSoon() {
        if (events.streams().caughtUp().isDone()) {
            reconciles.trigger();
        }
    }

    private void reconcile() {
        Map<Long, BdbConfigured> wanted = new HashMap<>();
        for (BdbConfigEvent e : events.bdbs().all().values()) {
            if (e instanceof BdbConfigured b && b.cluster().equals(config.cluster().name())) {
                wanted.put(b.uid(), b);
            }
        }
        for (var it = endpoints.entrySet().iterator(); it.hasNext();) {
            var entry = it.next();
            BdbConfigured b = wanted.get(entry.getKey());
            if (b == null || b.port() != entry.getValue().port()) {
                await(entry.getValue().stop());
                it.remove();
                long gen = events.bdbs().get(Long.toString(entry.getKey())).map(BdbConfigEvent::generation).orElse(0L);
                if (b == null) {
                    report(entry.getKey(), gen, TlsMode.DISABLED, entry.getValue().port(), false, null);
                    LOG.infof("endpoint of bdb %d closed", entry.getKey());
                }
            }
        }
        boolean failed = false;
        for (BdbConfigured b : wanted.values()) {
            try {
                apply(b);
            } catch (RuntimeException e) {
                failed = true;
                LOG.warnf("bdb %d: endpoint not applied (retrying in %d ms): %s", b.uid(), retryMs, e.getMessage());
                report(b.uid(), b.generation() - 1, b.tls().tlsMode(), b.port(), endpoints.containsKey(b.uid()), e.getMessage());
            }
        }
        // level-triggered, but nothing else may come to trigger it (a port another process holds is freed silently)
        if (failed && !worker.isShutdown()) {
            worker.schedule(reconciles::trigger, retryMs, TimeUnit.MILLISECONDS);
            retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        } else if (!failed) {
            retryMs = RETRY_INITIAL_MS;
        }
    }

    private void apply(BdbConfigured b) {
        Endpoint current = endpoints.get(b.uid());
        if (current != null && current.settings().generation() == b.generation()
                && current.settings().ssl() == (b.tls().tlsMode() == TlsMode.DISABLED ? null : ssl)) {
            return; // unchanged: its settings (certificates parsed, policy built) are not made again on every re-plan
        }
        EndpointSettings next = settings(b);
        if (current == null) {
            Endpoint ep = new Endpoint(b.uid(), b.port(), vertx, metrics, clock,
                    config.cluster().sharedBackendConnections(), config.cluster().clientOutputBufferLimit());
            int acceptors = config.cluster().acceptors().orElse(Runtime.getRuntime().availableProcessors());
            await(ep.start(next, config.cluster().bindHost(), acceptors));
            endpoints.put(b.uid(), ep);
            LOG.infof("endpoint of bdb %d listening on %s:%d (tls_mode %s) -> %s", b.uid(), config.cluster().bindHost(), b.port(),
                    b.tls().tlsMode().wire(), shards.backend(b));
        } else {
            EndpointSettings before = current.settings();
            if (before.generation() == next.generation() && before.ssl() == next.ssl()) {
                return;
            }
            current.update(next);
            LOG.infof("endpoint of bdb %d: generation %d (tls_mode %s) for new connections", b.uid(), b.generation(), b.tls().tlsMode().wire());
        }
        report(b.uid(), b.generation(), b.tls().tlsMode(), b.port(), true, null);
    }

    private EndpointSettings settings(BdbConfigured b) {
        SslContext context = null;
        if (b.tls().tlsMode() != TlsMode.DISABLED) {
            context = sslContext();
            if (context == null) {
                throw new IllegalStateException("no proxy certificate yet (tls_mode " + b.tls().tlsMode().wire() + " needs one)");
            }
        }
        Backend backend = shards.backend(b);
        if (backend.address().isUnix() && !vertx.isNativeTransportEnabled()) {
            throw new IllegalStateException("backend " + backend + " is a Unix socket, which needs Vert.x's native transport "
                    + "(netty-transport-native-epoll; quarkus.vertx.prefer-native-transport=true); it is not available here");
        }
        String crdtOrigin = config.crdt().convergent() && b.crdbGuid() != null ? config.cluster().name() : null;
        return new EndpointSettings(b.generation(), b.tls().tlsMode(), new ClientCertificatePolicy(b.tls()), context, backend,
                b.maxConnections(), java.util.List.of(events.dataTls().protocols()), crdtOrigin);
    }

    private SslContext sslContext() {
        SslContext s = ssl;
        if (s == null) {
            CertificateMaterial m = certificates.proxy().orElse(null);
            if (m == null) {
                return null;
            }
            s = ServerTls.context(m.key(), m.chain(), events.dataTls(), clock);
            ssl = s;
            LOG.infof("endpoint TLS context for %s (TLS provider %s, %s transport)", m.leaf().getSubjectX500Principal().getName(),
                    ServerTls.provider(events.dataTls()), vertx.isNativeTransportEnabled() ? "native" : "NIO");
        }
        return s;
    }

    private void report(long uid, long generation, TlsMode mode, int port, boolean listening, String error) {
        events.streams().publisher().publish(new EndpointStatus(EndpointStatus.VERSION, config.cluster().name(), uid, generation, mode, port,
                listening, error, clock.instant()));
    }

    private static void await(io.vertx.core.Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(c.getMessage(), c);
        }
    }
}
