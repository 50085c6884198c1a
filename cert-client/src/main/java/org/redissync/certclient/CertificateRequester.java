package org.redissync.certclient;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.redissync.events.CertRole;
import org.redissync.identity.PeerIdentity;
import org.redissync.identity.PemCertificates;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Gets a certificate for a key made here: generates an EC P-256 key pair, sends only a PKCS#10
 * request to cert-service's TLS listener (verified with the suite CA and its URN identity),
 * authenticated by a current certificate of the cluster over mutual TLS when the caller holds one,
 * else by the cluster's bootstrap token, and returns the key with the signed chain. The key never
 * leaves the process. Also the PEM helpers the services share.
 */
public final class CertificateRequester {

    /** Where cert-service is and how this process proves which cluster it belongs to. */
    public record Target(String certServiceUrl, String cluster, String token, Path caFile) {
        @Override
        public String toString() {
            return "Target[" + certServiceUrl + ", " + cluster + ", token=[hidden]]";
        }
    }

    private final Target target;
    private final HttpClient http;
    private final Supplier<Optional<CertificateMaterial>> credential;
    private CertificateMaterial mutualFor;
    private HttpClient mutual;

    /** A client that authenticates with the cluster's bootstrap token. */
    public CertificateRequester(Target target) {
        this(target, Optional::empty);
    }

    /**
     * A client that authenticates with {@code credential} while it has one (a valid certificate of this cluster from the
     * suite's CA, presented over mutual TLS; the token is then not sent), and with the bootstrap token otherwise.
     */
    public CertificateRequester(Target target, Supplier<Optional<CertificateMaterial>> credential) {
        this.target = target;
        this.credential = credential;
        try {
            // cert-service by the identity its CA gave it, not by hostname alone: a cluster's certificate for the same
            // host is of the same CA, and this client hands cert-service its bootstrap token
            this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .sslContext(PeerIdentity.clientContext(target.caFile(), Optional.of(PeerIdentity.CERT_SERVICE))).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CA file " + target.caFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new key and its certificate for {@code role}, with {@code names} (DNS names / IPs) asked for: a renewal over
     * mutual TLS when this client holds a credential, else the first request, by the bootstrap token.
     */
    public CertificateMaterial request(CertRole role, List<String> names) throws IOException, InterruptedException {
        return sign(credential.get(), role, names);
    }

    /** As {@link #request}, by the bootstrap token whatever this client holds (when the credential is refused). */
    public CertificateMaterial bootstrap(CertRole role, List<String> names) throws IOException, InterruptedException {
        return sign(Optional.empty(), role, names);
    }

    /** Whether the next call authenticates with a certificate (mutual TLS) rather than the token. */
    public boolean hasCredential() {
        return credential.get().isPresent();
    }

    private CertificateMaterial sign(Optional<CertificateMaterial> with, CertRole role, List<String> names)
            throws IOException, InterruptedException {
        KeyPair kp = newKeyPair();
        String body = new ObjectMapper().writeValueAsString(Map.of("name", role.wire(), "csr", csr(role, kp, names)));
        HttpResponse<String> r = send(with, HttpRequest.newBuilder(URI.create(base() + "/v1/cluster/certificates/csr?cluster=" + target.cluster()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() != 200) {
            throw new IOException("cert-service answered " + r.statusCode() + ": " + r.body());
        }
        return new CertificateMaterial(kp.getPrivate(), certificates(new ObjectMapper().readTree(r.body()).get("certificate").asText()));
    }

    /**
     * The operator-supplied key of this cluster's {@code role} (after {@code update_cert}), fetched from
     * cert-service over TLS, authenticated as this cluster; paired with the published {@code chainPem}.
     */
    public CertificateMaterial suppliedKey(CertRole role, String chainPem) throws IOException, InterruptedException {
        HttpResponse<String> r = send(credential.get(), HttpRequest.newBuilder(URI.create(base() + "/v1/cluster/keys/" + role.wire()
                + "?cluster=" + target.cluster())).GET());
        if (r.statusCode() != 200) {
            throw new IOException("cert-service answered " + r.statusCode() + " for the supplied " + role.wire() + " key");
        }
        return new CertificateMaterial(privateKey(r.body()), certificates(chainPem));
    }

    /**
     * A Replica Of destination's client identity: the key cert-service keeps under {@code id} for this cluster, fetched over
     * TLS, authenticated as this cluster; paired with {@code chainPem} (from the bdb's desired state).
     */
    public CertificateMaterial clientKey(String id, String chainPem) throws IOException, InterruptedException {
        return new CertificateMaterial(privateKey(kept("client_keys", id)), certificates(chainPem));
    }

    /** A secret cert-service keeps for this cluster under {@code id} (a Replica Of source's password), over TLS as this cluster. */
    public String secret(String id) throws IOException, InterruptedException {
        return kept("secrets", id);
    }

    /** What cert-service keeps for this cluster under {@code /v1/cluster/<kind>/<id>}, over TLS as this cluster. */
    private String kept(String kind, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = send(credential.get(), HttpRequest.newBuilder(URI.create(base() + "/v1/cluster/" + kind + "/"
                + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8) + "?cluster=" + target.cluster())).GET());
        if (r.statusCode() != 200) {
            throw new IOException("cert-service answered " + r.statusCode() + " for " + kind + " " + id);
        }
        return r.body();
    }

    private String base() {
        return target.certServiceUrl().replaceAll("/+$", "");
    }

    /** With a certificate: mutual TLS, no token. Without: the bootstrap token. */
    private HttpResponse<String> send(Optional<CertificateMaterial> with, HttpRequest.Builder request) throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(15));
        if (with.isPresent()) {
            return mutualClient(with.get()).send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        return http.send(request.header("Authorization", "Bearer " + target.token()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private synchronized HttpClient mutualClient(CertificateMaterial with) throws IOException {
        if (with != mutualFor) {
            mutual = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(PeerIdentity.mutualContext(
                    target.caFile(), Optional.of(PeerIdentity.CERT_SERVICE), with.key(), with.chain())).build();
            mutualFor = with;
        }
        return mutual;
    }

    private String csr(CertRole role, KeyPair kp, List<String> names) throws IOException {
        try {
            JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(
                    new X500Principal("CN=" + role.wire() + "." + target.cluster()), kp.getPublic());
            if (!names.isEmpty()) {
                List<GeneralName> san = new ArrayList<>();
                for (String n : names) {
                    san.add(n.matches("[0-9.]+") || n.contains(":") ? new GeneralName(GeneralName.iPAddress, n)
                            : new GeneralName(GeneralName.dNSName, n));
                }
                ExtensionsGenerator ext = new ExtensionsGenerator();
                ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                pw.writeObject(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            }
            return w.toString();
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException(e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key and chain from PEM files (operator-managed certificates). */
    public static CertificateMaterial fromFiles(String certFile, String keyFile) {
        try {
            return new CertificateMaterial(privateKey(Files.readString(Path.of(keyFile))), certificates(Files.readString(Path.of(certFile))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        return PemCertificates.parse(pem);
    }

    public static PrivateKey privateKey(String pem) throws IOException {
        try {
            return PemKeys.read(pem);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** PEM text of a chain (public). */
    public static String pem(List<X509Certificate> chain) {
        return PemCertificates.write(chain);
    }

    /** PKCS#8 PEM of a key, for an in-memory TLS configuration only (never logged, written or sent). */
    public static String pem(PrivateKey key) {
        return PemKeys.write(key);
    }
}
