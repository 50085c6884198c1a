package org.redissync.cert.tls;

import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.identity.PeerIdentity;
import org.redissync.cert.api.AdminOperations;
import org.redissync.cert.api.CertErrorMapper;
import org.redissync.cert.ca.CaHolder;
import org.redissync.cert.ca.CertificateAuthority;
import org.redissync.cert.ca.KeyAlgorithm;
import org.redissync.cert.ca.Pem;
import org.redissync.cert.config.CertServiceConfig;
import org.redissync.cert.csr.CsrChecks;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.cert.registry.CertificateService;

/**
 * The TLS listener the clusters' services talk to. It presents a server certificate this CA issues
 * itself at every start (key in memory only), requests (does not require) a client certificate, and
 * serves: CSR signing, authenticated by the cluster's bootstrap token or by a valid certificate of
 * that cluster (renewal over mTLS); the delivery of an operator-supplied private key to its own
 * cluster; the CA certificate and the public chains; and the administrative calls (update_cert, rotate,
 * Replica Of keys and passwords), to the control plane's {@code api} certificate with the admin token
 * only ({@link AdminOperations}). Blocking work runs on worker threads, never the event loop.
 */
@Singleton
public class ClusterTlsServer {

    private static final Logger LOG = Logger.getLogger(ClusterTlsServer.class);

    private final Vertx vertx;
    private final CertificateService service;
    private final CaHolder ca;
    private final CertServiceConfig config;
    private final AdminOperations admin;
    private volatile HttpServer server;

    ClusterTlsServer(Vertx vertx, CertificateService service, CaHolder ca, CertServiceConfig config, AdminOperations admin) {
        this.vertx = vertx;
        this.service = service;
        this.ca = ca;
        this.config = config;
        this.admin = admin;
    }

    void start(@Observes StartupEvent ignored) throws Exception {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        List<org.bouncycastle.asn1.x509.GeneralName> names = new ArrayList<>();
        for (String n : config.tls().names()) {
            names.add(CsrChecks.toGeneralName(n));
        }
        // who it is, whatever host it runs on: clients check this, not the hostname alone (no CSR can ask for a URN)
        names.add(new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier,
                PeerIdentity.CERT_SERVICE));
        List<X509Certificate> chain = ca.authority().issue(keys.getPublic(), new CertificateAuthority.Profile(
                new X500Principal("CN=cert-service,O=redis-sync"), names, true, false, Duration.ofDays(30)));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.tls().host())
                .setPort(config.tls().port())
                .setSsl(true)
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(Pem.write(chain)))
                        .setKeyValue(Buffer.buffer(Pem.writePrivateKey(keys.getPrivate()))))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.write(ca.authority().material().root()))))
                .setClientAuth(ClientAuth.REQUEST);
        Router router = Router.router(vertx);
        router.post("/v1/cluster/certificates/csr").handler(BodyHandler.create().setBodyLimit(64 * 1024)).handler(this::sign);
        router.get("/v1/cluster/keys/:role").handler(this::key);
        router.get("/v1/cluster/client_keys/:id").handler(this::clientKey);
        router.get("/v1/cluster/secrets/:id").handler(this::secret);
        router.get("/v1/cluster/certificates/ca").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/x-pem-file").end(service.caPem()));
        // public chains, and the administrative calls: only the control plane's api identity, with the admin token
        router.get("/v1/cluster/certificates").handler(ctx -> json(ctx, () -> admin.certificates(query(ctx, "cluster"))));
        BodyHandler adminBody = BodyHandler.create().setBodyLimit(1024 * 1024);
        router.put("/v1/cluster/update_cert").handler(adminBody).handler(ctx -> json(ctx, () ->
                admin.updateCert(caller(ctx), query(ctx, "cluster"), ctx.body().asString())));
        router.put("/v1/cluster/certificates").handler(adminBody).handler(ctx -> json(ctx, () ->
                admin.updateCertificates(caller(ctx), query(ctx, "cluster"), ctx.body().asString())));
        router.post("/v1/cluster/certificates/rotate").handler(adminBody).handler(ctx -> json(ctx, () ->
                admin.rotate(caller(ctx), query(ctx, "cluster"), ctx.body().asString())));
        router.put("/v1/cluster/client_keys/:id").handler(adminBody).handler(ctx -> json(ctx, () ->
                admin.clientKey(caller(ctx), ctx.pathParam("id"), query(ctx, "cluster"), ctx.body().asString())));
        router.put("/v1/cluster/secrets/:id").handler(adminBody).handler(ctx -> json(ctx, () ->
                admin.secret(caller(ctx), ctx.pathParam("id"), query(ctx, "cluster"), ctx.body().asString())));
        server = vertx.createHttpServer(options).requestHandler(router).listen().toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        LOG.infof("cluster TLS listener on %s:%d (client certificates requested, CA-verified)", config.tls().host(), server.actualPort());
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (server != null) {
            server.close();
        }
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int port() {
        return server.actualPort();
    }

    private void sign(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null || body.getString("csr") == null) {
            fail(ctx, new CertException(CertError.INVALID_REQUEST, "body must be {\"name\": \"proxy|syncer|api\", \"csr\": \"<PEM>\"}"));
            return;
        }
        String cluster = ctx.queryParams().get("cluster");
        String role = body.getString("name");
        String csr = body.getString("csr");
        CertificateService.Requester requester = requester(ctx);
        blocking(ctx, () -> {
            var issued = service.issue(requireCluster(cluster), role, csr, requester);
            return new JsonObject(Map.of("certificate", issued.certificatePem(), "ca_cert", issued.caPem(), "generation",
                    issued.generation(), "fingerprint", issued.published().fingerprintSha256(), "not_after",
                    issued.published().notAfter().toString())).encode();
        }, "application/json");
    }

    private void key(RoutingContext ctx) {
        String cluster = ctx.queryParams().get("cluster");
        String role = ctx.pathParam("role");
        CertificateService.Requester requester = requester(ctx);
        blocking(ctx, () -> service.suppliedKey(requireCluster(cluster), role, requester), "application/x-pem-file");
    }

    private void secret(RoutingContext ctx) {
        String cluster = ctx.queryParams().get("cluster");
        String id = ctx.pathParam("id");
        CertificateService.Requester requester = requester(ctx);
        blocking(ctx, () -> service.secret(requireCluster(cluster), id, requester), "text/plain");
    }

    private void clientKey(RoutingContext ctx) {
        String cluster = ctx.queryParams().get("cluster");
        String id = ctx.pathParam("id");
        CertificateService.Requester requester = requester(ctx);
        blocking(ctx, () -> service.clientKey(requireCluster(cluster), id, requester), "application/x-pem-file");
    }

    private static String requireCluster(String cluster) {
        if (cluster == null || cluster.isBlank()) {
            throw new CertException(CertError.INVALID_REQUEST, "say which cluster: ?cluster=<name>");
        }
        return cluster;
    }

    private static String query(RoutingContext ctx, String name) {
        return ctx.queryParams().get(name);
    }

    private void json(RoutingContext ctx, java.util.concurrent.Callable<Map<String, ?>> work) {
        blocking(ctx, () -> io.vertx.core.json.Json.encode(work.call()), "application/json");
    }

    /** The caller of an administrative call: its verified client certificate (null without one) and bearer token. */
    private static AdminOperations.Caller caller(RoutingContext ctx) {
        return new AdminOperations.Caller(clientCertificate(ctx), CertificateService.Requester.bearer(ctx.request().getHeader("Authorization")));
    }

    /** A cluster's request: its bearer token, and the cluster its verified client certificate names, if any. */
    private static CertificateService.Requester requester(RoutingContext ctx) {
        X509Certificate leaf = clientCertificate(ctx);
        return new CertificateService.Requester(CertificateService.Requester.bearer(ctx.request().getHeader("Authorization")),
                leaf == null ? Optional.empty() : CertificateService.certifiedCluster(leaf));
    }

    /** The client certificate the handshake verified against the CA, or null without one (the token may authenticate). */
    private static X509Certificate clientCertificate(RoutingContext ctx) {
        try {
            List<Certificate> peer = ctx.request().connection().peerCertificates();
            return peer != null && !peer.isEmpty() && peer.get(0) instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return null;
        }
    }

    private void blocking(RoutingContext ctx, java.util.concurrent.Callable<String> work, String contentType) {
        vertx.<String>executeBlocking(work, false).onComplete(r -> {
            if (r.succeeded()) {
                ctx.response().putHeader("Content-Type", contentType).end(r.result());
            } else if (r.cause() instanceof CertException e) {
                fail(ctx, e);
            } else {
                LOG.errorf(r.cause(), "cluster TLS listener: %s failed", ctx.request().path());
                fail(ctx, new CertException(CertError.UNAVAILABLE, "internal error"));
            }
        });
    }

    private static void fail(RoutingContext ctx, CertException e) {
        ctx.response().setStatusCode(e.error().status()).putHeader("Content-Type", "application/json")
                .end(new JsonObject(Map.<String, Object>copyOf(CertErrorMapper.body(e))).encode());
    }
}
