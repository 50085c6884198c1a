package org.redissync.syncer.channel;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.moilioncircle.redis.replicator.Configuration;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.plumbing.Coalescer;
import org.jboss.logging.Logger;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.certclient.CertificateRequester;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.ClusterCertificateEvent.CaPublished;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.SyncState;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.shard.ShardManager;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.syncer.pki.ClusterCertificates;

/**
 * Runs this cluster's channels from the desired state (level-triggered: every change of
 * {@code crdb.config}, {@code bdb.config} or the certificates re-plans all of them, on one thread,
 * in order): starts new ones, stops removed ones, rebuilds those whose connection settings changed
 * and leaves every other channel untouched. Publishes each channel's status on {@code syncer.status}.
 */
@Singleton
public class ChannelManager {

    private static final Logger LOG = Logger.getLogger(ChannelManager.class);

    private final SyncerEvents events;
    private final SyncerConfig config;
    private final ClusterCertificates certificates;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ShardManager shards;
    /** Written by the worker only; read by appliers too (MeshLoads). */
    private final Map<String, Channel> channels = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeshLoads loads;
    private final Map<String, ChannelStatus> published = new HashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "channel-manager");
        t.setDaemon(true);
        return t;
    });

    private final Coalescer reconciles = new Coalescer(worker, this::reconcile);

    ChannelManager(SyncerEvents events, SyncerConfig config, ClusterCertificates certificates, MeterRegistry registry, Clock clock,
            ShardManager shards) {
        this.shards = shards;
        this.events = events;
        this.config = config;
        this.certificates = certificates;
        this.registry = registry;
        this.clock = clock;
        this.loads = new MeshLoads(config.cluster().name(), channels::values, 30_000);
        this.tlsProvider = tlsProvider(config.channels().tlsProvider());
        events.crdbs().onChange((key, e, offset) -> reconcileSoon());
        events.bdbs().onChange((key, e, offset) -> reconcileSoon());
        events.certificates().onChange((key, e, offset) -> reconcileSoon());
        events.settings().onChange((key, e, offset) -> reconcileSoon());
        certificates.onChange(role -> reconcileSoon());
    }

    void start(@Observes StartupEvent ignored) {
        if (tlsProvider == null && config.channels().fastEcdsa()) {
            FastEcdsa.install();
        }
        warmUpTls(config.channels().tlsWarmUpHandshakes(), tlsProvider);
        events.streams().caughtUp().thenRun(this::reconcileSoon);
        worker.scheduleWithFixedDelay(this::publishChanged, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        worker.shutdownNow();
        channels.values().forEach(c -> {
            c.stop();
            loads.stopped(c.spec());
        });
    }

    /** A channel's current view (tests, diagnostics). */
    public Map<String, Channel.Snapshot> snapshots() {
        Map<String, Channel.Snapshot> out = new LinkedHashMap<>();
        for (Channel c : List.copyOf(channels.values())) {
            out.put(c.id(), c.snapshot());
        }
        return out;
    }

    private void reconcileSoon() {
        if (events.streams().caughtUp().isDone()) {
            reconciles.trigger();
        }
    }

    private void reconcile() {
        List<CrdbConfigured> crdbs = new ArrayList<>();
        for (CrdbConfigEvent e : events.crdbs().all().values()) {
            if (e instanceof CrdbConfigured c) {
                crdbs.add(c);
            }
        }
        Map<Long, BdbConfigured> bdbs = new HashMap<>();
        for (BdbConfigEvent e : events.bdbs().all().values()) {
            if (e instanceof BdbConfigured b) {
                bdbs.put(b.uid(), b);
            }
        }
        ChannelPlanner.Plan planned;
        try {
            planned = ChannelPlanner.plan(config.cluster().name(), crdbs, bdbs, shards::backend);
        } catch (RuntimeException e) {
            LOG.errorf(e, "channels not planned");
            return;
        }
        planned.unplanned().forEach((uid, why) -> LOG.errorf("bdb %d: channels not planned, the running ones are left as they are: %s",
                uid, why));
        Map<String, ChannelSpec> plan = planned.channels();
        for (var it = channels.entrySet().iterator(); it.hasNext();) {
            var entry = it.next();
            if (!plan.containsKey(entry.getKey()) && !planned.unplanned().containsKey(entry.getValue().spec().destinationBdbUid())) {
                entry.getValue().stop();
                loads.stopped(entry.getValue().spec());
                it.remove();
                unregisterMeters(entry.getKey());
                published.remove(entry.getKey());
                LOG.infof("channel %s stopped (no longer wanted)", entry.getKey());
            }
        }
        for (ChannelSpec wanted : plan.values()) {
            ChannelSpec spec = wanted.withTrustKey(wanted.tls() ? trustKey(wanted) : "");
            Channel c = channels.get(spec.id());
            if (c == null) {
                c = new Channel(spec, this::configureTls, sp -> certificates.secret(sp.credentialsId()), this::report, config.channels().retryInitial(), config.channels().retryMax(),
                        config.channels().readTimeout(), config.channels().batchMaxCommands(), config.channels().queueSize(),
                        config.channels().skipCommitBytes(), loads.of(spec), config.crdt().convergent() && spec.crdbGuid() != null);
                channels.put(spec.id(), c);
                loads.started(c);
                meters(c);
                c.start();
                LOG.infof("channel %s started: %s", spec.id(), spec);
            } else if (!spec.equals(c.spec())) {
                c.update(spec);
            } else {
                c.kick();
            }
        }
    }

    /** The JSSE provider of the channels' TLS client: Conscrypt (BoringSSL), or null for the JDK's own. */
    private final java.security.Provider tlsProvider;

    private static java.security.Provider tlsProvider(SyncerConfig.TlsProvider wanted) {
        if (wanted == SyncerConfig.TlsProvider.JDK) {
            LOG.info("channel TLS client: the JDK's");
            return null;
        }
        try {
            org.conscrypt.Conscrypt.checkAvailability(); // throws, with the reason, when the native library cannot load
            org.conscrypt.Conscrypt.Version v = org.conscrypt.Conscrypt.version();
            LOG.infof("channel TLS client: BoringSSL (Conscrypt %d.%d.%d)", v.major(), v.minor(), v.patch());
            return org.conscrypt.Conscrypt.newProvider();
        } catch (LinkageError e) {
            LOG.warnf("channel TLS client: the JDK's (Conscrypt did not load: %s)", e.toString());
        }
        return null;
    }

    /** Compiles the TLS client code before channels need it ({@link TlsWarmUp}); its own thread, not the worker's. */
    private static void warmUpTls(int handshakes, java.security.Provider provider) {
        if (handshakes <= 0) {
            return;
        }
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                java.time.Duration last = TlsWarmUp.run(handshakes, provider);
                LOG.infof("channel TLS warmed up: %d handshakes in %d ms, the last %.1f ms", handshakes, (System.nanoTime() - t0) / 1_000_000,
                        last.toNanos() / 1e6);
            } catch (Exception e) {
                LOG.warnf("channel TLS warm-up failed (channels work, their first handshakes are slower): %s", e.getMessage());
            }
        }, "channel-tls-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Fingerprints of everything the TLS connection would present or accept, and the data TLS settings it is made under. */
    private String trustKey(ChannelSpec s) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(events.dataTls().connectionKey().getBytes()); // RE's data TLS settings: new ones, new connections
            certificates.syncer().ifPresent(m -> d.update(der(m.leaf())));
            if (events.certificates().get(CaPublished.KEY).orElse(null) instanceof CaPublished ca) {
                ca.trusted().forEach(p -> d.update(p.fingerprintSha256().getBytes()));
            }
            if (s.sourceCluster() != null && events.certificates().get(ClusterCertificateEvent.key(s.sourceCluster(), CertRole.PROXY))
                    .orElse(null) instanceof RoleCertificatesPublished r && r.current() != null) {
                d.update(r.current().fingerprintSha256().getBytes());
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Certificates parsed from PEM, by PEM. A switch of 100 CRDBs connects 200 channels per cluster, each of which used
     * to parse every CA and proxy chain again (PEM parsing was a fifth of a syncer's CPU in that switch). Each connection
     * still gets a context of its own: no TLS session is resumed, so every handshake checks the source's certificate.
     */
    private final Map<String, List<X509Certificate>> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    private List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> c = parsed.get(pem);
        if (c == null) {
            c = List.copyOf(CertificateRequester.certificates(pem));
            if (parsed.size() > 256) {
                parsed.clear(); // certificates of the past (renewals, rotations)
            }
            parsed.put(pem, c);
        }
        return c;
    }

    /** The TLS settings of one connection: our syncer certificate, the source's identity check, SNI. */
    private void configureTls(ChannelSpec s, Configuration c) throws Exception {
        CertificateMaterial syncer = s.clientKeyId() != null ? certificates.clientIdentity(s.clientKeyId(), s.clientCert())
                : certificates.syncer().orElseThrow(() -> new IllegalStateException("no syncer certificate for this cluster yet"));
        Object caEvent = events.certificates().get(CaPublished.KEY).orElse(null);
        Object proxyEvent = s.sourceCluster() == null ? null
                : events.certificates().get(ClusterCertificateEvent.key(s.sourceCluster(), CertRole.PROXY)).orElse(null);
        javax.net.ssl.SSLContext ctx = tlsContext(s, syncer, caEvent, proxyEvent);
        c.setSsl(true).setSslSocketFactory(ctx.getSocketFactory()).setSslParameters(ChannelTls.parameters(ctx, s.sni(), events.dataTls()));
    }

    private javax.net.ssl.SSLContext tlsContext(ChannelSpec s, CertificateMaterial syncer, Object caEvent, Object proxyEvent)
            throws Exception {
        List<X509Certificate> ca = new ArrayList<>();
        if (caEvent instanceof CaPublished published) {
            for (PublishedCertificate p : published.trusted()) {
                ca.addAll(certificates(p.chainPem()));
            }
        }
        if (ca.isEmpty() && config.certificates().caFile().isPresent()) {
            ca.addAll(CertificateRequester.certificates(java.nio.file.Files.readString(java.nio.file.Path.of(config.certificates().caFile().get()))));
        }
        List<X509Certificate> proxies = new ArrayList<>();
        if (proxyEvent instanceof RoleCertificatesPublished r) {
            for (PublishedCertificate p : r.trusted()) {
                proxies.add(certificates(p.chainPem()).get(0));
            }
        }
        X509Certificate pinned = s.pinnedServerCert() == null ? null : certificates(s.pinnedServerCert()).get(0);
        // BoringSSL cannot narrow the TLS 1.3 suites: the JDK's TLS when the cluster settings do
        return ChannelTls.context(syncer, new ChannelTls.Trust(ca, pinned, s.sourceCluster(), proxies, s.sourceHost()),
                events.dataTls().tls13Narrowed() ? null : tlsProvider);
    }

    private void meters(Channel c) {
        Tags tags = Tags.of("channel", c.id());
        FunctionCounter.builder("redissync_channel_full_resyncs_total", c, ch -> ch.snapshot().fullResyncs()).tags(tags)
                .description("Times this channel had to load a whole snapshot of its source (SYNC), not continue its stream")
                .register(registry);
        FunctionCounter.builder("redissync_channel_partial_resyncs_total", c, ch -> ch.snapshot().partialResyncs()).tags(tags)
                .description("Times this channel continued its source's stream where it stood (PSYNC +CONTINUE)").register(registry);
        FunctionCounter.builder("redissync_channel_applied_commands_total", c, ch -> ch.snapshot().appliedCommands()).tags(tags)
                .description("Commands from the source applied to the destination").register(registry);
        Gauge.builder("redissync_channel_lag_seconds", c, ch -> ch.snapshot().lagMs() / 1000.0).tags(tags).baseUnit("seconds")
                .description("Age of the oldest write received from the source and not yet applied").register(registry);
    }

    /**
     * A stopped channel's meters go with it: a channel made again with the same id (an instance removed from a CRDB and
     * added back) would otherwise be shown by the old one's (Micrometer hands out the registered meter, bound to the
     * old channel object).
     */
    private void unregisterMeters(String channelId) {
        for (io.micrometer.core.instrument.Meter m : List.copyOf(registry.getMeters())) {
            if (channelId.equals(m.getId().getTag("channel"))) {
                registry.remove(m);
            }
        }
    }

    private void report(Channel c) {
        if (!worker.isShutdown()) {
            worker.execute(() -> publish(c, true));
        }
    }

    private void publishChanged() {
        for (Channel c : List.copyOf(channels.values())) {
            publish(c, false);
        }
        reconnectToRotatedSources();
    }

    /**
     * After a source cluster's proxy certificate rotates, its channels rebuild at once, but the source
     * endpoint may take a moment longer to serve the new certificate to new connections (it learns of
     * it from its own CSR answer, we from Kafka). A channel that still sees the predecessor (trusted
     * through the overlap) reconnects, once a second, for up to two minutes after the publication.
     */
    private void reconnectToRotatedSources() {
        java.time.Instant now = clock.instant();
        for (Channel c : List.copyOf(channels.values())) {
            ChannelSpec spec = c.spec();
            Channel.Snapshot s = c.snapshot();
            if (!spec.tls() || spec.sourceCluster() == null || spec.pinnedServerCert() != null || s.state() != SyncState.IN_SYNC
                    || s.tls() == null || !s.tls().enabled() || s.tls().peerNotAfter() == null) {
                continue;
            }
            if (events.certificates().get(ClusterCertificateEvent.key(spec.sourceCluster(), CertRole.PROXY))
                    .orElse(null) instanceof RoleCertificatesPublished r && r.current() != null && r.current().notAfter() != null
                    && r.publishedAt() != null && r.publishedAt().isAfter(now.minus(java.time.Duration.ofMinutes(2)))
                    && !r.current().notAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                            .equals(s.tls().peerNotAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))) {
                LOG.infof("channel %s: the source still presents its previous proxy certificate; reconnecting", c.id());
                c.rebuild();
            }
        }
    }

    /**
     * Publishes when anything but the lag changed, or the lag moved by a second or more. A channel from a leaving instance
     * also publishes each second its position moved ({@code applied_to}, how the coordinator sees it drained).
     */
    private void publish(Channel c, boolean force) {
        try {
            Channel.Snapshot s = c.snapshot();
            ChannelSpec spec = s.spec();
            ChannelStatus next = new ChannelStatus(ChannelStatus.VERSION, config.cluster().name(), spec.id(), spec.kind(), spec.crdbGuid(),
                    spec.destinationBdbUid(), spec.source(), spec.observedGeneration(), s.state(), s.lagMs(), s.lastError(), s.tls(),
                    s.fullResyncs(), s.partialResyncs(), s.stopped(), clock.instant(),
                    spec.sourceLeaving() ? s.appliedTo() : null); // only a draining source's channel reports where it stands
            ChannelStatus before = published.get(spec.id());
            if (!force && before != null && sameExceptLag(before, next) && Math.abs(before.lagMs() - next.lagMs()) < 1000) {
                return;
            }
            if (force && before != null && sameExceptLag(before, next) && before.lagMs() == next.lagMs()) {
                return;
            }
            published.put(spec.id(), next);
            events.streams().publisher().publish(next);
        } catch (RuntimeException e) {
            LOG.warnf("channel %s: status not published: %s", c.id(), e.getMessage());
        }
    }

    private static boolean sameExceptLag(ChannelStatus a, ChannelStatus b) {
        return a.observedGeneration() == b.observedGeneration() && a.state() == b.state() && Objects.equals(a.lastError(), b.lastError())
                && Objects.equals(a.tls(), b.tls()) && a.fullResyncs() == b.fullResyncs() && a.partialResyncs() == b.partialResyncs()
                && a.stopped() == b.stopped() && Objects.equals(a.source(), b.source()) && Objects.equals(a.appliedTo(), b.appliedTo());
    }
}
