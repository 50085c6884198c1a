package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;
import org.redissync.syncer.TestPki;

/** A source must prove who it is, not only that the suite's CA signed it. */
class ChannelTlsTest {

    static final TestPki.Issued CA = TestPki.ca("suite CA");
    static final TestPki.Issued OTHER_CA = TestPki.ca("someone else");
    static final TestPki.Issued PROXY_A = TestPki.proxy(CA, "cluster-a");
    static final TestPki.Issued PROXY_B = TestPki.proxy(CA, "cluster-b");

    static void verify(X509Certificate presented, ChannelTls.Trust trust) throws Exception {
        verify(presented, trust, "ECDHE_ECDSA");
    }

    static void verify(X509Certificate presented, ChannelTls.Trust trust, String authType) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate c : trust.caCertificates()) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        ChannelTls.verifySource(new X509Certificate[] {presented, CA.cert()}, trust, (X509TrustManager) tmf.getTrustManagers()[0], authType);
    }

    static ChannelTls.Trust fromCluster(String cluster, String host) {
        return new ChannelTls.Trust(List.of(CA.cert()), null, cluster, List.of(), host);
    }

    @Test
    void theSourceClustersOwnProxyCertificateNamingTheHostIsAccepted() {
        assertThatCode(() -> verify(PROXY_A.cert(), fromCluster("cluster-a", "127.0.0.1"))).doesNotThrowAnyException();
        assertThatCode(() -> verify(PROXY_A.cert(), fromCluster("cluster-a", "localhost"))).doesNotThrowAnyException();
    }

    @Test
    void tls13sKeyExchangeAsBoringSslNamesItIsAccepted() {
        // Conscrypt passes "GENERIC" for TLS 1.3; the JDK's PKIX checker refused it as an unknown authType
        assertThatCode(() -> verify(PROXY_A.cert(), fromCluster("cluster-a", "127.0.0.1"), "GENERIC")).doesNotThrowAnyException();
        assertThatThrownBy(() -> verify(PROXY_B.cert(), fromCluster("cluster-a", "127.0.0.1"), "GENERIC"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("not a proxy certificate of cluster cluster-a");
    }

    @Test
    void anotherClustersCertificateFromTheSameCaCannotImpersonateTheSource() {
        assertThatThrownBy(() -> verify(PROXY_B.cert(), fromCluster("cluster-a", "127.0.0.1")))
                .isInstanceOf(CertificateException.class).hasMessageContaining("not a proxy certificate of cluster cluster-a");
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefused() {
        assertThatThrownBy(() -> verify(PROXY_A.cert(), fromCluster("cluster-a", "db.example.com")))
                .isInstanceOf(CertificateException.class).hasMessageContaining("does not name db.example.com");
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() {
        TestPki.Issued foreign = TestPki.proxy(OTHER_CA, "cluster-a");
        assertThatThrownBy(() -> verify(foreign.cert(), fromCluster("cluster-a", "127.0.0.1"))).isInstanceOf(CertificateException.class);
    }

    @Test
    void aPublishedProxyCertificateOfTheSourceClusterIsAcceptedAsIs() {
        // operator-supplied certificates need not carry the suite's URN or the host: cert-service published them for that cluster
        TestPki.Issued operator = TestPki.server(OTHER_CA, "redis.example.com");
        var trust = new ChannelTls.Trust(List.of(CA.cert()), null, "cluster-a", List.of(operator.cert()), "10.0.0.1");
        assertThatCode(() -> verify(operator.cert(), trust)).doesNotThrowAnyException();
        var otherCluster = new ChannelTls.Trust(List.of(CA.cert()), null, "cluster-b", List.of(), "10.0.0.1");
        assertThatThrownBy(() -> verify(operator.cert(), otherCluster)).isInstanceOf(CertificateException.class);
    }

    @Test
    void aPinnedServerCertIsTheOnlyCertificateAccepted() {
        var pinned = new ChannelTls.Trust(List.of(CA.cert()), PROXY_A.cert(), null, List.of(), "127.0.0.1");
        assertThatCode(() -> verify(PROXY_A.cert(), pinned)).doesNotThrowAnyException();
        assertThatThrownBy(() -> verify(PROXY_B.cert(), pinned)).hasMessageContaining("not the pinned server_cert");
    }

    @Test
    void aSourceOutsideTheSuiteNeedsTheCaAndTheHostName() {
        var external = new ChannelTls.Trust(List.of(CA.cert()), null, null, List.of(), "127.0.0.1");
        assertThatCode(() -> verify(PROXY_B.cert(), external)).doesNotThrowAnyException();
        var noCa = new ChannelTls.Trust(List.of(), null, null, List.of(), "127.0.0.1");
        assertThatThrownBy(() -> verify(PROXY_B.cert(), noCa)).hasMessageContaining("no CA");
    }
}
