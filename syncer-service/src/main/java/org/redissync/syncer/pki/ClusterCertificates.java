package org.redissync.syncer.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.jboss.logging.Logger;
import org.redissync.events.CertRole;
import org.redissync.events.pki.RenewalTime;
import org.redissync.syncer.config.SyncerConfig;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * This cluster's proxy (endpoint server) and syncer (client) certificates. From files when the
 * operator manages them; otherwise this process generates each key pair itself, sends only a CSR
 * to cert-service (authenticated by the cluster's token), and renews at two thirds of the
 * lifetime. Listeners hear every new certificate (hot reload); keys never leave the process.
 */
@Singleton
public class ClusterCertificates {

    private static final Logger LOG = Logger.getLogger(ClusterCertificates.class);

    private final SyncerConfig config;
    private final Clock clock;
    private volatile CertificateMaterial proxy;
    private volatile CertificateMaterial syncer;
    private final List<Consumer<CertRole>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificate-renewal");
        t.setDaemon(true);
        return t;
    });

    ClusterCertificates(SyncerConfig config, Clock clock, org.redissync.syncer.events.SyncerEvents events) {
        this.config = config;
        this.clock = clock;
        watchRotationRequests(events);
        SyncerConfig.Certificates c = config.certificates();
        if (c.proxyCertificateFile().isPresent()) {
            proxy = fromFiles(c.proxyCertificateFile().get(), c.proxyKeyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.certificates.proxy-key-file is required with proxy-certificate-file")));
        }
        if (c.syncerCertificateFile().isPresent()) {
            syncer = fromFiles(c.syncerCertificateFile().get(), c.syncerKeyFile().orElseThrow(() ->
                    new IllegalStateException("redissync.certificates.syncer-key-file is required with syncer-certificate-file")));
        }
        if (c.certServiceUrl().isPresent()) {
            renewer.execute(() -> obtain(CertRole.PROXY));
            renewer.execute(() -> obtain(CertRole.SYNCER));
        }
    }

    /**
     * {@code POST /v1/cluster/certificates/rotate} bumps {@code rotation_requests} on this cluster's role;
     * the owner of the key (this process) re-keys. Requests already seen when this process started are
     * not acted on again: its certificates are fresh anyway.
     */
    private void watchRotationRequests(org.redissync.syncer.events.SyncerEvents events) {
        java.util.Map<CertRole, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        events.certificates().onChange((key, e, offset) -> {
            if (e instanceof org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished r
                    && r.cluster().equals(config.cluster().name()) && r.role() != CertRole.API) {
                Long before = seen.put(r.role(), r.rotationRequests());
                if (before != null && r.rotationRequests() > before && events.streams().caughtUp().isDone()) {
                    LOG.infof("cert-service asked for a new %s certificate: re-keying", r.role().wire());
                    rotate(r.role());
                }
            }
        });
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

    /** Hears the role of every new certificate. */
    public void onChange(Consumer<CertRole> listener) {
        listeners.add(listener);
    }

    /** Re-keys one role now (cert-service asked for a rotation). */
    public void rotate(CertRole role) {
        if (config.certificates().certServiceUrl().isPresent()) {
            renewer.execute(() -> obtain(role));
        }
    }

    private void obtain(CertRole role) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            List<X509Certificate> chain = sign(role, kp);
            CertificateMaterial m = new CertificateMaterial(kp.getPrivate(), chain);
            if (role == CertRole.PROXY) {
                proxy = m;
            } else {
                syncer = m;
            }
            LOG.infof("new %s certificate for %s, valid until %s", role.wire(), config.cluster().name(), m.leaf().getNotAfter().toInstant());
            listeners.forEach(l -> l.accept(role));
            Instant renewAt = RenewalTime.renewAt(m.leaf().getNotBefore().toInstant(), m.leaf().getNotAfter().toInstant(), Optional.empty());
            long delay = Math.max(1, Duration.between(clock.instant(), renewAt).toSeconds());
            renewer.schedule(() -> obtain(role), delay, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("cannot get a %s certificate from cert-service yet (%s); retrying in 2 s", role.wire(), e.getMessage());
            renewer.schedule(() -> obtain(role), 2, TimeUnit.SECONDS);
        }
    }

    private List<X509Certificate> sign(CertRole role, KeyPair kp) throws Exception {
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(
                new X500Principal("CN=" + role.wire() + "." + config.cluster().name()), kp.getPublic());
        if (role == CertRole.PROXY) {
            List<GeneralName> names = new ArrayList<>();
            for (String n : config.cluster().endpointNames()) {
                names.add(n.matches("[0-9.]+") || n.contains(":") ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n));
            }
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        }
        PKCS10CertificationRequest csr = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(csr);
        }
        SyncerConfig.Certificates c = config.certificates();
        String body = new ObjectMapper().writeValueAsString(java.util.Map.of("name", role.wire(), "csr", w.toString()));
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(c.caFile().orElseThrow(() ->
                new IllegalStateException("redissync.certificates.ca-file is required with cert-service-url")))).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(c.certServiceUrl().get().replaceAll("/+$", "")
                        + "/v1/cluster/certificates/csr?cluster=" + config.cluster().name()))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + c.token().orElse(""))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cert-service answered " + r.statusCode() + ": " + r.body());
        }
        return certificates(new ObjectMapper().readTree(r.body()).get("certificate").asText());
    }

    static SSLContext trusting(String caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : certificates(Files.readString(Path.of(caFile)))) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static CertificateMaterial fromFiles(String certFile, String keyFile) {
        try {
            return new CertificateMaterial(privateKey(Files.readString(Path.of(keyFile))), certificates(Files.readString(Path.of(certFile))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalArgumentException("not a PEM certificate chain", e);
        }
    }

    static PrivateKey privateKey(String pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IOException("no private key in the PEM file");
        }
    }
}
