package org.redissync.cert;

import static io.restassured.RestAssured.given;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;

import io.quarkus.arc.Arc;
import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;

import org.bouncycastle.asn1.x509.GeneralName;
import org.redissync.cert.ca.CaHolder;
import org.redissync.cert.ca.CertificateAuthority;
import org.redissync.cert.ca.KeyAlgorithm;
import org.redissync.cert.ca.Pem;
import org.redissync.cert.tls.ClusterTlsServer;
import org.redissync.identity.PeerIdentity;

/**
 * Requests as the operator's API (the coordinator) makes them: on cert-service's TLS listener, presenting an
 * {@code api} certificate of the test CA (cluster-a may hold that role in the test profile), with the admin token.
 */
public final class TestAdmin {

    public static final String TOKEN = "test-admin-token-for-cert-service";
    public static final String API_CLUSTER = "cluster-a";

    private TestAdmin() {
    }

    /** The API's certificate and the admin token: every administrative call is allowed. */
    public static RequestSpecification admin() {
        return asApi().header("Authorization", "Bearer " + TOKEN);
    }

    /** The API's certificate, no token. */
    public static RequestSpecification asApi() {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        List<X509Certificate> chain = ca().authority().issue(keys.getPublic(), new CertificateAuthority.Profile(
                new X500Principal("CN=api." + API_CLUSTER), List.of(new GeneralName(GeneralName.uniformResourceIdentifier,
                PeerIdentity.of(API_CLUSTER, "api"))), true, true, Duration.ofHours(1)));
        return over(keys, chain);
    }

    /** A client certificate of this CA that is not the API's (a cluster's syncer), no token. */
    public static RequestSpecification asSyncer(String cluster) {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        List<X509Certificate> chain = ca().authority().issue(keys.getPublic(), new CertificateAuthority.Profile(
                new X500Principal("CN=syncer." + cluster), List.of(new GeneralName(GeneralName.uniformResourceIdentifier,
                PeerIdentity.of(cluster, "syncer"))), false, true, Duration.ofHours(1)));
        return over(keys, chain);
    }

    /** TLS to the listener without a client certificate. */
    public static RequestSpecification anonymous() {
        return over(null, List.of());
    }

    private static RequestSpecification over(KeyPair keys, List<X509Certificate> chain) {
        try {
            Path caFile = Files.createTempFile("test-ca", ".pem");
            Files.writeString(caFile, Pem.write(ca().authority().material().root()));
            SSLContext ctx = PeerIdentity.mutualContext(caFile, Optional.of(PeerIdentity.CERT_SERVICE),
                    keys == null ? null : keys.getPrivate(), chain);
            Files.delete(caFile);
            int port = Arc.container().instance(ClusterTlsServer.class).get().port();
            return given().baseUri("https://127.0.0.1").port(port).config(RestAssured.config().sslConfig(SSLConfig.sslConfig()
                    .sslSocketFactory(new org.apache.http.conn.ssl.SSLSocketFactory(ctx))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CaHolder ca() {
        return Arc.container().instance(CaHolder.class).get();
    }
}
