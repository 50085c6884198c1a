package org.redissync.coordinator.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.certclient.CertificateRequester;
import org.redissync.certclient.CertificateStore;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.events.CertRole;
import org.redissync.events.pki.RenewalTime;

/**
 * The API's certificates. <em>Served</em>: the key store of the TLS configuration {@value #TLS_CONFIGURATION} that
 * Quarkus's own HTTPS server uses ({@code quarkus.http.tls-configuration-name}); there is no plaintext API listener.
 * <em>Identity</em>: the {@code api} certificate this suite's CA signed for the coordinator (key made here, in memory
 * only), which it presents to cert-service for the administrative calls (mutual TLS, {@link CertServiceClient}).
 * <p>
 * With cert-service configured ({@code redissync.cert-service.tls-url}, {@code ca-file}, {@code redissync.api.token})
 * the identity is obtained by CSR before the server starts (Quarkus asks this provider while it starts, so the API
 * never listens without a certificate) and renewed at two thirds of its life over mutual TLS with the current one (the
 * token is for the first time only). The served certificate is the operator's files when given
 * ({@code redissync.api.certificate-file}/{@code key-file}, read again at every reload: {@code quarkus.tls.api.reload-period}
 * picks up a rotated file), else the identity. After a renewal the TLS configuration is reloaded and
 * {@link CertificateUpdatedEvent} fired: the HTTP server takes the new certificate for new connections.
 */
@Singleton
@Unremovable
@Identifier(ApiCertificate.TLS_CONFIGURATION)
public class ApiCertificate implements KeyStoreProvider {

    public static final String TLS_CONFIGURATION = "api";
    private volatile List<java.security.cert.X509Certificate> servedChain = List.of();
    private static final Logger LOG = Logger.getLogger(ApiCertificate.class);

    private final CoordinatorConfig config;
    private final Clock clock;
    private final Instance<TlsConfigurationRegistry> registry;
    private final Event<CertificateUpdatedEvent> updated;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-certificate");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean started;
    private volatile CertificateMaterial identity;

    ApiCertificate(CoordinatorConfig config, Clock clock, Instance<TlsConfigurationRegistry> registry,
            Event<CertificateUpdatedEvent> updated) {
        this.config = config;
        this.clock = clock;
        this.registry = registry;
        this.updated = updated;
    }

    /** Called by Quarkus when the TLS configuration is made (at start, before the server listens) and on each reload. */
    @Override
    public synchronized KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        if (!started) {
            started = true;
            if (requester().isPresent()) {
                identity = first(requester().get());
            }
        }
        CertificateMaterial served = served();
        servedChain = List.copyOf(served.chain());
        PemKeyCertOptions options = new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(CertificateRequester.pem(served.chain())))
                .setKeyValue(Buffer.buffer(CertificateRequester.pem(served.key())));
        try {
            return new KeyStoreAndKeyCertOptions(options.loadKeyStore(vertx), options);
        } catch (Exception e) {
            throw new IllegalStateException("the API certificate cannot be loaded: " + e.getMessage(), e);
        }
    }

    /** The public chain the API serves now (what a client's handshake sees); empty before the server has started. */
    public List<java.security.cert.X509Certificate> servedChain() {
        return servedChain;
    }

    /** The coordinator's {@code api} certificate of this suite's CA, for mutual TLS to cert-service; empty without cert-service. */
    public Optional<CertificateMaterial> identity() {
        return Optional.ofNullable(identity);
    }

    /**
     * Renews the identity (over mutual TLS with the current one) and reloads what the API serves (operator files read
     * again). Open connections keep the certificate they were made with.
     */
    public synchronized void renew() throws Exception {
        Optional<CertificateRequester> requester = requester();
        if (requester.isPresent() && identity != null) {
            CertificateMaterial next;
            try {
                next = requester.get().request(CertRole.API, config.api().names()); // over mutual TLS with the current one
            } catch (java.io.IOException refused) {
                LOG.warnf("cannot renew the API certificate over mutual TLS (%s); asking with the bootstrap token", refused.getMessage());
                next = requester.get().bootstrap(CertRole.API, config.api().names());
            }
            identity = next;
            keep(next);
            LOG.infof("API identity renewed (valid until %s)", next.leaf().getNotAfter().toInstant());
            scheduleRenewal(next);
        }
        TlsConfiguration tls = registry.get().get(TLS_CONFIGURATION).orElseThrow();
        if (tls.reload()) {
            updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, tls));
        }
        CertificateMaterial served = served();
        LOG.infof("the API serves %s (valid until %s) to new connections", served.leaf().getSubjectX500Principal().getName(),
                served.leaf().getNotAfter().toInstant());
    }

    void stop(@Observes ShutdownEvent ignored) {
        renewer.shutdownNow();
    }

    private CertificateMaterial served() {
        CoordinatorConfig.Api api = config.api();
        if (api.certificateFile().isPresent()) {
            return CertificateRequester.fromFiles(api.certificateFile().get(), api.keyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.api.key-file is required with redissync.api.certificate-file")));
        }
        if (identity == null) {
            throw new IllegalStateException("the API is served over HTTPS only and has no certificate: set redissync.api.certificate-file "
                    + "and key-file, or redissync.cert-service.tls-url, redissync.cert-service.ca-file and redissync.api.token");
        }
        return identity;
    }

    private Optional<CertificateRequester> requester() {
        Optional<String> url = config.certService().tlsUrl();
        if (url.isEmpty() || config.api().token().isEmpty() || config.certService().caFile().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CertificateRequester(new CertificateRequester.Target(url.get(), config.api().certificateCluster(),
                config.api().token().get(), Path.of(config.certService().caFile().get())), () -> Optional.ofNullable(identity)));
    }

    /** Where the identity is kept across restarts (then a restart needs no token), or empty (memory only). */
    private Optional<CertificateStore> store() {
        return config.api().stateDir().map(d -> new CertificateStore(Path.of(d)));
    }

    private void keep(CertificateMaterial m) {
        store().ifPresent(s -> {
            try {
                s.save(CertRole.API, m);
            } catch (java.io.IOException e) {
                LOG.warnf("cannot keep the API certificate on disk (%s): a restart will need the bootstrap token", e.getMessage());
            }
        });
    }

    private CertificateMaterial first(CertificateRequester requester) {
        if (store().isPresent()) {
            try {
                Optional<CertificateMaterial> kept = store().get().load(CertRole.API, clock.instant(),
                        Path.of(config.certService().caFile().get()), config.api().names());
                if (kept.isPresent()) {
                    LOG.infof("kept API certificate, valid until %s: in use; renewed over mutual TLS when due",
                            kept.get().leaf().getNotAfter().toInstant());
                    scheduleRenewal(kept.get());
                    return kept.get();
                }
            } catch (java.io.IOException e) {
                LOG.warnf("cannot read the kept API certificate (%s); requesting a new one", e.getMessage());
            }
        }
        Instant deadline = clock.instant().plus(config.api().certificateTimeout());
        Duration backoff = Duration.ofMillis(500);
        while (true) {
            try {
                CertificateMaterial m = requester.bootstrap(CertRole.API, config.api().names());
                keep(m);
                LOG.infof("API certificate %s, valid until %s", m.leaf().getSubjectX500Principal().getName(), m.leaf().getNotAfter().toInstant());
                scheduleRenewal(m);
                return m;
            } catch (Exception e) {
                if (!clock.instant().isBefore(deadline)) {
                    throw new IllegalStateException("no API certificate within redissync.api.certificate-timeout ("
                            + config.api().certificateTimeout() + "): " + e.getMessage(), e);
                }
                LOG.warnf("cannot get the API certificate from cert-service yet (%s); the API waits for it, retrying in %d ms",
                        e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the API certificate", interrupted);
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
            }
        }
    }

    private void scheduleRenewal(CertificateMaterial m) {
        if (renewer.isShutdown()) {
            return;
        }
        Instant at = RenewalTime.renewAt(m.leaf().getNotBefore().toInstant(), m.leaf().getNotAfter().toInstant(), Optional.empty());
        renewer.schedule(this::renewOrRetry, Math.max(1, Duration.between(clock.instant(), at).toSeconds()), TimeUnit.SECONDS);
    }

    private void renewOrRetry() {
        try {
            renew();
        } catch (Exception e) {
            LOG.warnf("cannot renew the API certificate (%s); the current one is kept, retrying in 30 s", e.getMessage());
            renewer.schedule(this::renewOrRetry, 30, TimeUnit.SECONDS);
        }
    }
}
