package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;
import org.redissync.syncer.TestPki;

/**
 * The endpoint's judgement of a client's certificate chain (pure: no connection). Each rule of the seed's client
 * authentication, and who may replicate: a peer's syncer certificate, or a certificate pasted into the client certs.
 */
class ClientCertificatePolicyTest {

    static final Instant NOW = Instant.now();
    static final TestPki.Issued CA = TestPki.ca("clients CA");
    static final TestPki.Issued OTHER_CA = TestPki.ca("someone else's CA");
    static final TestPki.Issued APP = TestPki.client(CA, "CN=app,OU=ops,O=Acme,C=FR");
    static final TestPki.Issued SYNCER = TestPki.client(TestPki.ca("peer cluster CA"), "CN=syncer.cluster-b");

    static Tls tls(boolean enforce, List<String> clientCerts, List<String> crdtCerts, SubjectValidation validation,
            List<AuthorizedSubject> subjects, boolean outdated) {
        return new Tls(TlsMode.ENABLED, enforce, clientCerts, crdtCerts, validation, subjects, outdated, false);
    }

    static X509Certificate[] chain(TestPki.Issued leaf, TestPki.Issued... issuers) {
        X509Certificate[] c = new X509Certificate[1 + issuers.length];
        c[0] = leaf.cert();
        for (int i = 0; i < issuers.length; i++) {
            c[i + 1] = issuers[i].cert();
        }
        return c;
    }

    @Test
    void withoutACertificateAClientIsRefusedOnlyWhenAuthenticationIsEnforced() {
        var enforced = new ClientCertificatePolicy(tls(true, List.of(TestPki.pem(CA.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), false));
        assertThat(enforced.judge(new X509Certificate[0], NOW).refusal()).isEqualTo(Refusal.NO_CLIENT_CERT);
        var open = new ClientCertificatePolicy(tls(false, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false));
        var v = open.judge(null, NOW);
        assertThat(v.accepted()).isTrue();
        assertThat(v.syncer()).isFalse();
        assertThat(v.replicator()).isFalse();
    }

    @Test
    void aCaInTheClientCertsTrustsWhatItSignedAndNothingElse() {
        var policy = new ClientCertificatePolicy(tls(true, List.of(TestPki.pem(CA.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), false));
        var signed = policy.judge(chain(APP, CA), NOW);
        assertThat(signed.accepted()).isTrue();
        assertThat(signed.replicator()).as("trusted through a CA: a client, not a replicator").isFalse();
        assertThat(policy.judge(chain(APP), NOW).accepted()).as("the leaf alone: the anchor is configured").isTrue();
        TestPki.Issued stranger = TestPki.client(OTHER_CA, "CN=app");
        assertThat(policy.judge(chain(stranger, OTHER_CA), NOW).refusal()).isEqualTo(Refusal.UNTRUSTED);
    }

    @Test
    void anExpiredCertificateIsRefusedUnlessOutdatedOnesAreAllowed() {
        TestPki.Issued old = TestPki.client(CA, "CN=app", NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(1)), TestPki.ec());
        var strict = new ClientCertificatePolicy(tls(true, List.of(TestPki.pem(CA.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), false));
        assertThat(strict.judge(chain(old, CA), NOW).refusal()).isEqualTo(Refusal.EXPIRED);
        var lenient = new ClientCertificatePolicy(tls(true, List.of(TestPki.pem(CA.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), true));
        assertThat(lenient.judge(chain(old, CA), NOW).accepted()).isTrue();
    }

    @Test
    void subjectValidationAppliesToCaTrustedCertificatesByFullSubjectOrCommonName() {
        List<String> anchors = List.of(TestPki.pem(CA.cert()));
        var full = new ClientCertificatePolicy(tls(true, anchors, List.of(), SubjectValidation.FULL_SUBJECT,
                List.of(new AuthorizedSubject("app", "Acme", List.of("ops"), null, null, "FR")), false));
        assertThat(full.judge(chain(APP, CA), NOW).accepted()).isTrue();
        var wrongOrg = new ClientCertificatePolicy(tls(true, anchors, List.of(), SubjectValidation.FULL_SUBJECT,
                List.of(new AuthorizedSubject("app", "Evil", List.of("ops"), null, null, "FR")), false));
        assertThat(wrongOrg.judge(chain(APP, CA), NOW).refusal()).isEqualTo(Refusal.SUBJECT_MISMATCH);
        var byName = new ClientCertificatePolicy(tls(true, anchors, List.of(), SubjectValidation.SAN_CN,
                List.of(new AuthorizedSubject("app", null, List.of(), null, null, null)), false));
        assertThat(byName.judge(chain(APP, CA), NOW).accepted()).isTrue();
        var otherName = new ClientCertificatePolicy(tls(true, anchors, List.of(), SubjectValidation.SAN_CN,
                List.of(new AuthorizedSubject("batch", null, List.of(), null, null, null)), false));
        assertThat(otherName.judge(chain(APP, CA), NOW).refusal()).isEqualTo(Refusal.SUBJECT_MISMATCH);
    }

    @Test
    void aPastedLeafIsTrustedAsItIsAndMayReplicate() {
        // RE's manual Replica Of: the destination's certificate pasted into the source's client certs
        var pinned = new ClientCertificatePolicy(tls(true, List.of(TestPki.pem(APP.cert())), List.of(), SubjectValidation.FULL_SUBJECT,
                List.of(new AuthorizedSubject("nobody", null, List.of(), null, null, null)), false));
        var v = pinned.judge(chain(APP), NOW);
        assertThat(v.accepted()).as("a pinned leaf skips subject validation").isTrue();
        assertThat(v.replicator()).isTrue();
        assertThat(v.syncer()).as("judged as a client: its commands are parsed").isFalse();
        // without enforcement too: presenting the pasted certificate still authorizes replication; another does not
        var open = new ClientCertificatePolicy(tls(false, List.of(TestPki.pem(APP.cert())), List.of(), SubjectValidation.DISABLED,
                List.of(), false));
        assertThat(open.judge(chain(APP), NOW).replicator()).isTrue();
        assertThat(open.judge(chain(TestPki.client(CA, "CN=other")), NOW).replicator()).isFalse();
        TestPki.Issued expiredPasted = TestPki.client(CA, "CN=old", NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(1)),
                TestPki.ec());
        var openExpired = new ClientCertificatePolicy(tls(false, List.of(TestPki.pem(expiredPasted.cert())), List.of(),
                SubjectValidation.DISABLED, List.of(), false));
        assertThat(openExpired.judge(chain(expiredPasted), NOW).replicator()).as("expired: not a replicator").isFalse();
    }

    @Test
    void aPeersSyncerCertificateIsASyncerWhileItIsCurrent() {
        var policy = new ClientCertificatePolicy(tls(true, List.of(), List.of(TestPki.pem(SYNCER.cert())), SubjectValidation.DISABLED,
                List.of(), true));
        var v = policy.judge(chain(SYNCER), NOW);
        assertThat(v.accepted()).isTrue();
        assertThat(v.syncer()).isTrue();
        assertThat(v.replicator()).isTrue();
        TestPki.Issued old = TestPki.client(CA, "CN=syncer.old", NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(1)),
                TestPki.ec());
        var stale = new ClientCertificatePolicy(tls(true, List.of(), List.of(TestPki.pem(old.cert())), SubjectValidation.DISABLED,
                List.of(), true));
        assertThat(stale.judge(chain(old), NOW).refusal()).as("outdated syncers are never allowed").isEqualTo(Refusal.EXPIRED);
    }
}
