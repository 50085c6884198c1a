package org.redissync.syncer.pki;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.certclient.CertificateRequester;
import org.redissync.certclient.CertificateStore;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.pki.RenewalTime;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.events.SyncerEvents;

/**
 * This cluster's proxy (endpoint server) and syncer (client) certificates. From files when the
 * operator manages them; otherwise this process generates each key pair itself, sends only a CSR
 * to cert-service (the first time authenticated by the cluster's bootstrap token; renewals and
 * rotations by this cluster's current syncer certificate over mutual TLS), renews at two thirds of
 * the lifetime, and re-keys when cert-service asks for a rotation. Listeners hear every new certificate (hot
 * reload); keys never leave the process.
 */
@Singleton
public class ClusterCertificates {

    private static final Logger LOG = Logger.getLogger(ClusterCertificates.class);

    private final SyncerConfig config;
    private final Clock clock;
    private final CertificateRequester requester;
    /** Where certificates and keys are kept across restarts, or null (memory only). */
    private final CertificateStore store;
    private volatile CertificateMaterial proxy;
    private volatile CertificateMaterial syncer;
    private final List<Consumer<CertRole>> listeners = new CopyOnWriteArrayList<>();
    /** Roles whose certificate the operator supplied: not renewed by CSR until a rotation is asked for. */
    private final java.util.Set<CertRole> operatorManaged = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificate-renewal");
        t.setDaemon(true);
        return t;
    });

    ClusterCertificates(SyncerConfig config, Clock clock, SyncerEvents events) {
        this.config = config;
        this.clock = clock;
        SyncerConfig.Certificates c = config.certificates();
        if (c.proxyCertificateFile().isPresent()) {
            proxy = CertificateRequester.fromFiles(c.proxyCertificateFile().get(), c.proxyKeyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.certificates.proxy-key-file is required with proxy-certificate-file")));
        }
        if (c.syncerCertificateFile().isPresent()) {
            syncer = CertificateRequester.fromFiles(c.syncerCertificateFile().get(), c.syncerKeyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.certificates.syncer-key-file is required with syncer-certificate-file")));
        }
        store = c.stateDir().map(d -> new CertificateStore(Path.of(d))).orElse(null);
        requester = c.certServiceUrl().map(url -> new CertificateRequester(new CertificateRequester.Target(url, config.cluster().name(),
                c.token().orElse(""), caFile()), this::renewalCredential)).orElse(null);
        if (requester != null) {
            if (proxy == null) {
                resume(CertRole.PROXY);
            }
            if (syncer == null) {
                resume(CertRole.SYNCER);
            }
            watchRotationRequests(events);
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        renewer.shutdownNow();
    }

    public Optional<CertificateMaterial> proxy() {
        return Optional.ofNullable(proxy);
    }

    public Optional<CertificateMaterial> syncer() {
        return Optional.ofNullable(syncer);
    }

    /** Replica Of client identities ({@code client_cert}), by the id cert-service keeps their key under. */
    private final Map<String, CertificateMaterial> clientIdentities = new ConcurrentHashMap<>();

    /**
     * The certificate a Replica Of channel presents instead of the syncer certificate ({@code replica_sources[].client_cert}):
     * its chain from the desired state, its key fetched once from cert-service over TLS as this cluster (kept in memory).
     * Blocks (a channel's reader thread calls it while connecting).
     */
    public CertificateMaterial clientIdentity(String id, String chainPem) throws Exception {
        CertificateMaterial m = clientIdentities.get(id);
        if (m == null) {
            if (requester == null) {
                throw new IllegalStateException("client certificate " + id + ": no cert-service to fetch its key from");
            }
            m = requester.clientKey(id, chainPem);
            clientIdentities.put(id, m);
            LOG.infof("client certificate %s (%s) ready for its Replica Of channel", id, m.leaf().getSubjectX500Principal().getName());
        }
        return m;
    }

    /** Replica Of source passwords, by the id cert-service keeps them under (kept in memory once fetched). */
    private final Map<String, String> secrets = new ConcurrentHashMap<>();

    /** A Replica Of source's password that cert-service keeps for this cluster: fetched over TLS as this cluster, once. Blocks. */
    public String secret(String id) throws Exception {
        String s = secrets.get(id);
        if (s == null) {
            if (requester == null) {
                throw new IllegalStateException("source password " + id + ": no cert-service to fetch it from");
            }
            s = requester.secret(id);
            secrets.put(id, s);
        }
        return s;
    }

    /** Hears the role of every new certificate. */
    public void onChange(Consumer<CertRole> listener) {
        listeners.add(listener);
    }

    /** Re-keys one role now (an operator-supplied certificate is replaced by one of the suite's CA). */
    public void rotate(CertRole role) {
        if (requester != null) {
            // on the renewal thread, after whatever it has queued: an adoption of the operator's certificate queued
            // before this must not mark the role operator-managed again after it was cleared (obtain would do nothing)
            renewer.execute(() -> {
                operatorManaged.remove(role);
                obtain(role);
            });
        }
    }

    /**
     * {@code POST /v1/cluster/certificates/rotate} bumps {@code rotation_requests} on this cluster's role;
     * the owner of the key (this process) re-keys. Requests already seen when this process started are
     * not acted on again: its certificates are fresh anyway.
     */
    private void watchRotationRequests(SyncerEvents events) {
        Map<CertRole, Long> seen = new ConcurrentHashMap<>();
        events.certificates().onChange((key, e, offset) -> {
            if (e instanceof RoleCertificatesPublished r && ours(r)) {
                Long before = seen.put(r.role(), r.rotationRequests());
                if (before != null && r.rotationRequests() > before && events.streams().caughtUp().isDone()) {
                    LOG.infof("cert-service asked for a new %s certificate: re-keying", r.role().wire());
                    rotate(r.role()); // an operator-supplied certificate too: replaced by one of the suite's CA
                } else if (r.operatorSupplied() && events.streams().caughtUp().isDone() && !isCurrent(r)) {
                    renewer.execute(() -> adoptSupplied(r));
                }
            }
        });
        // Started with the certificates it kept: the operator may have supplied one since (or before a restart), which
        // the events read while catching up did not act on. Once caught up, the latest of each role is the one to use.
        events.streams().caughtUp().thenRun(() -> events.certificates().all().values().forEach(e -> {
            if (e instanceof RoleCertificatesPublished r && ours(r) && r.operatorSupplied() && !isCurrent(r)) {
                renewer.execute(() -> adoptSupplied(r));
            }
        }));
    }

    private boolean ours(RoleCertificatesPublished r) {
        return r.cluster().equals(config.cluster().name()) && r.role() != CertRole.API;
    }

    private boolean isCurrent(RoleCertificatesPublished r) {
        CertificateMaterial m = r.role() == CertRole.PROXY ? proxy : syncer;
        return m != null && CertificateRequester.pem(m.chain()).equals(r.current().chainPem());
    }

    /** The operator replaced this role's certificate (update_cert): take its key from cert-service over TLS and use it. */
    private void adoptSupplied(RoleCertificatesPublished r) {
        if (isCurrent(r)) {
            return; // queued twice (its event and the catch-up both saw it): taken once, endpoints and channels rebuilt once
        }
        try {
            CertificateMaterial had = r.role() == CertRole.PROXY ? proxy : syncer;
            List<java.security.cert.X509Certificate> chain = CertificateRequester.certificates(r.current().chainPem());
            // a certificate for the key this process has (RE's certificate set without key_file): nothing to fetch
            CertificateMaterial m = had != null && java.util.Arrays.equals(had.leaf().getPublicKey().getEncoded(),
                    chain.get(0).getPublicKey().getEncoded()) ? new CertificateMaterial(had.key(), chain)
                            : requester.suppliedKey(r.role(), r.current().chainPem());
            if (r.role() == CertRole.PROXY) {
                proxy = m;
            } else {
                syncer = m;
            }
            operatorManaged.add(r.role());
            LOG.infof("using the operator-supplied %s certificate %s", r.role().wire(), m.leaf().getSubjectX500Principal().getName());
            listeners.forEach(l -> l.accept(r.role()));
        } catch (Exception e) {
            LOG.warnf("cannot take the operator-supplied %s certificate (%s)", r.role().wire(), e.getMessage());
        }
    }

    /**
     * What a renewal authenticates with instead of the bootstrap token: this cluster's syncer certificate of the suite's CA
     * (a client certificate; the proxy's is a server's only), while it is valid. Mutual TLS to cert-service.
     */
    private Optional<CertificateMaterial> renewalCredential() {
        CertificateMaterial current = syncer;
        if (current == null || operatorManaged.contains(CertRole.SYNCER) || !clock.instant().isBefore(current.leaf().getNotAfter().toInstant())) {
            return Optional.empty();
        }
        return Optional.of(current);
    }

    private Path caFile() {
        return Path.of(config.certificates().caFile().orElseThrow(() ->
                new IllegalStateException("redissync.certificates.ca-file is required with cert-service-url")));
    }

    /**
     * At start: a kept certificate of {@code role} that is still valid and of the CA trusted now is used at once (and
     * renewed when due, over mutual TLS); without one, a new one is requested.
     */
    private void resume(CertRole role) {
        Optional<CertificateMaterial> kept = Optional.empty();
        if (store != null) {
            try {
                kept = store.load(role, clock.instant(), caFile(), role == CertRole.PROXY ? config.cluster().endpointNames() : List.of());
            } catch (java.io.IOException e) {
                LOG.warnf("cannot read the kept %s certificate (%s); requesting a new one", role.wire(), e.getMessage());
            }
        }
        if (kept.isEmpty()) {
            renewer.execute(() -> obtain(role));
            return;
        }
        CertificateMaterial m = kept.get();
        if (role == CertRole.PROXY) {
            proxy = m;
        } else {
            syncer = m;
        }
        LOG.infof("kept %s certificate for %s, valid until %s: in use; renewed over mutual TLS when due", role.wire(),
                config.cluster().name(), m.leaf().getNotAfter().toInstant());
        listeners.forEach(l -> l.accept(role));
        scheduleRenewal(role, m);
    }

    private void keep(CertRole role, CertificateMaterial m) {
        if (store != null) {
            try {
                store.save(role, m);
            } catch (java.io.IOException e) {
                LOG.warnf("cannot keep the new %s certificate on disk (%s): a restart will need the bootstrap token", role.wire(),
                        e.getMessage());
            }
        }
    }

    private void scheduleRenewal(CertRole role, CertificateMaterial m) {
        Instant renewAt = RenewalTime.renewAt(m.leaf().getNotBefore().toInstant(), m.leaf().getNotAfter().toInstant(), Optional.empty());
        long delay = Math.max(1, Duration.between(clock.instant(), renewAt).toSeconds());
        renewer.schedule(() -> obtain(role), delay, TimeUnit.SECONDS);
    }

    private void obtain(CertRole role) {
        if (operatorManaged.contains(role)) {
            return;
        }
        try {
            List<String> names = role == CertRole.PROXY ? config.cluster().endpointNames() : List.of();
            CertificateMaterial m;
            if (requester.hasCredential()) {
                try {
                    m = requester.request(role, names); // a renewal, over mutual TLS with the current syncer certificate
                } catch (java.io.IOException refused) {
                    LOG.warnf("cannot renew the %s certificate over mutual TLS (%s); asking with the bootstrap token", role.wire(),
                            refused.getMessage());
                    m = requester.bootstrap(role, names);
                }
            } else {
                m = requester.bootstrap(role, names);
            }
            keep(role, m);
            if (role == CertRole.PROXY) {
                proxy = m;
            } else {
                syncer = m;
            }
            LOG.infof("new %s certificate for %s, valid until %s", role.wire(), config.cluster().name(), m.leaf().getNotAfter().toInstant());
            listeners.forEach(l -> l.accept(role));
            scheduleRenewal(role, m);
        } catch (Exception e) {
            LOG.warnf("cannot get a %s certificate from cert-service yet (%s); retrying in 2 s", role.wire(), e.getMessage());
            renewer.schedule(() -> obtain(role), 2, TimeUnit.SECONDS);
        }
    }
}
