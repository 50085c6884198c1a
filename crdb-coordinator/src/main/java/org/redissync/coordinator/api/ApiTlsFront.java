package org.redissync.coordinator.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.certclient.CertificateRequester;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.events.CertRole;
import org.redissync.events.pki.RenewalTime;

/**
 * The API over HTTPS on port 9443, as Redis Enterprise serves it: terminates TLS with the {@code api}
 * certificate (from cert-service by CSR, the key made here, renewed at two thirds of its life and
 * swapped in for new connections; or operator files) and pipes the bytes to the coordinator's own
 * HTTP listener on loopback, with backpressure. HTTP semantics (auth, errors) are the API's own.
 */
@Singleton
public class ApiTlsFront {

    private static final Logger LOG = Logger.getLogger(ApiTlsFront.class);

    private final CoordinatorConfig config;
    private final Vertx vertx;
    private final Clock clock;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-certificate");
        t.setDaemon(true);
        return t;
    });
    private volatile NetServer server;
    private volatile int httpPort;
    private NetClient loopback;

    ApiTlsFront(CoordinatorConfig config, Vertx vertx, Clock clock) {
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
    }

    void start(@Observes StartupEvent ignored) {
        CoordinatorConfig.Api api = config.api();
        if (api.tlsPort() < 0) {
            LOG.warn("redissync.api.tls-port is -1: the API is served over HTTP only");
            return;
        }
        httpPort = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
        loopback = vertx.createNetClient();
        if (api.certificateFile().isPresent()) {
            listen(CertificateRequester.fromFiles(api.certificateFile().get(), api.keyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.api.key-file is required with redissync.api.certificate-file"))));
            return;
        }
        Optional<String> url = config.certService().tlsUrl();
        if (url.isEmpty() || api.token().isEmpty() || config.certService().caFile().isEmpty()) {
            LOG.warn("no API certificate: set redissync.api.certificate-file/key-file, or redissync.cert-service.tls-url, "
                    + "redissync.cert-service.ca-file and redissync.api.token; the API is served over HTTP only");
            return;
        }
        CertificateRequester requester = new CertificateRequester(new CertificateRequester.Target(url.get(), api.certificateCluster(),
                api.token().get(), Path.of(config.certService().caFile().get())));
        renewer.execute(() -> obtain(requester));
    }

    void stop(@Observes ShutdownEvent ignored) {
        renewer.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    /** The HTTPS port actually bound, or -1 while there is none. */
    public int port() {
        NetServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    private void obtain(CertificateRequester requester) {
        try {
            CertificateMaterial m = requester.request(CertRole.API, config.api().names());
            listen(m);
            var renewAt = RenewalTime.renewAt(m.leaf().getNotBefore().toInstant(), m.leaf().getNotAfter().toInstant(), Optional.empty());
            renewer.schedule(() -> obtain(requester), Math.max(1, Duration.between(clock.instant(), renewAt).toSeconds()), TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("cannot get the API certificate from cert-service yet (%s); retrying in 2 s", e.getMessage());
            renewer.schedule(() -> obtain(requester), 2, TimeUnit.SECONDS);
        }
    }

    private synchronized void listen(CertificateMaterial m) {
        PemKeyCertOptions cert = new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(CertificateRequester.pem(m.chain())))
                .setKeyValue(Buffer.buffer(CertificateRequester.pem(m.key())));
        try {
            if (server != null) {
                server.updateSSLOptions(new SSLOptions().setKeyCertOptions(cert).setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3")),
                        true).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                LOG.infof("API certificate renewed (valid until %s) for new connections", m.leaf().getNotAfter().toInstant());
                return;
            }
            NetServer s = vertx.createNetServer(new NetServerOptions().setHost(config.api().tlsHost()).setPort(config.api().tlsPort())
                    .setSsl(true).setKeyCertOptions(cert).setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3")));
            s.connectHandler(this::pipe);
            server = s.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            LOG.infof("API over HTTPS on %s:%d (certificate %s, valid until %s)", config.api().tlsHost(), server.actualPort(),
                    m.leaf().getSubjectX500Principal().getName(), m.leaf().getNotAfter().toInstant());
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve the API over HTTPS: " + e.getMessage(), e);
        }
    }

    private void pipe(NetSocket client) {
        client.pause();
        loopback.connect(httpPort, "127.0.0.1").onComplete(ar -> {
            if (ar.failed()) {
                client.close();
                return;
            }
            NetSocket api = ar.result();
            client.pipeTo(api);
            api.pipeTo(client);
            client.resume();
        });
    }
}
