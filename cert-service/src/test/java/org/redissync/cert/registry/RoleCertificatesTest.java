package org.redissync.cert.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.redissync.events.pki.RenewalTime;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;

/** Rotation with a moving clock: renewal at 2/3, old and new both trusted during the overlap, old dropped after. */
class RoleCertificatesTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration VALIDITY = Duration.ofDays(90);
    static final Duration OVERLAP = Duration.ofDays(1);

    static PublishedCertificate cert(String fp, Instant notBefore) {
        return new PublishedCertificate("pem-" + fp, fp, "CN=syncer.a", fp, notBefore, notBefore.plus(VALIDITY), null);
    }

    @Test
    void aRotationKeepsThePredecessorTrustedThroughTheOverlapAndThenDropsIt() {
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        PublishedCertificate first = cert("F1", clock.instant());
        RoleCertificatesPublished s1 = RoleCertificates.replace(null, "a", CertRole.SYNCER, first, false, OVERLAP, clock.instant());
        assertThat(s1.generation()).isEqualTo(1);
        assertThat(s1.trusted()).extracting(PublishedCertificate::fingerprintSha256).containsExactly("F1");

        // Not due a day before two thirds of its life; due at two thirds.
        Instant renewAt = RenewalTime.renewAt(first.notBefore(), first.notAfter(), Optional.empty());
        assertThat(renewAt).isEqualTo(T0.plus(Duration.ofDays(60)));
        assertThat(RenewalTime.due(renewAt.minus(Duration.ofDays(1)), first.notBefore(), first.notAfter(), Optional.empty())).isFalse();

        clock = Clock.offset(clock, Duration.between(T0, renewAt));
        PublishedCertificate second = cert("F2", clock.instant());
        RoleCertificatesPublished s2 = RoleCertificates.replace(s1, "a", CertRole.SYNCER, second, false, OVERLAP, clock.instant());
        assertThat(s2.generation()).isEqualTo(2);
        assertThat(s2.current().fingerprintSha256()).isEqualTo("F2");
        assertThat(s2.trusted()).extracting(PublishedCertificate::fingerprintSha256).containsExactly("F2", "F1");
        assertThat(s2.trusted().get(1).trustedUntil()).isEqualTo(renewAt.plus(OVERLAP));

        // Half-way through the overlap both are still trusted.
        assertThat(RoleCertificates.prune(s2, clock.instant().plus(OVERLAP.dividedBy(2)))).isEmpty();
        // After it, only the new one.
        RoleCertificatesPublished s3 = RoleCertificates.prune(s2, clock.instant().plus(OVERLAP)).orElseThrow();
        assertThat(s3.trusted()).extracting(PublishedCertificate::fingerprintSha256).containsExactly("F2");
        assertThat(s3.generation()).isEqualTo(3);
    }

    @Test
    void thePredecessorIsNeverTrustedPastItsOwnExpiry() {
        PublishedCertificate old = cert("OLD", T0);
        RoleCertificatesPublished s1 = RoleCertificates.replace(null, "a", CertRole.PROXY, old, false, OVERLAP, T0);
        Instant late = old.notAfter().minus(Duration.ofHours(2));
        RoleCertificatesPublished s2 = RoleCertificates.replace(s1, "a", CertRole.PROXY, cert("NEW", late), false, OVERLAP, late);
        assertThat(s2.trusted().get(1).trustedUntil()).isEqualTo(old.notAfter());
        assertThat(RoleCertificates.nextExpiry(s2)).contains(old.notAfter());
    }

    @Test
    void replacingWithTheSameCertificateAddsNoPredecessor() {
        PublishedCertificate c = cert("SAME", T0);
        RoleCertificatesPublished s1 = RoleCertificates.replace(null, "a", CertRole.API, c, true, OVERLAP, T0);
        RoleCertificatesPublished s2 = RoleCertificates.replace(s1, "a", CertRole.API, c, true, OVERLAP, T0.plusSeconds(5));
        assertThat(s2.trusted()).hasSize(1);
        assertThat(s2.operatorSupplied()).isTrue();
    }

    @Test
    void aRotationRequestBumpsTheCounterAndTheGenerationOnly() {
        RoleCertificatesPublished s1 = RoleCertificates.replace(null, "a", CertRole.SYNCER, cert("X", T0), false, OVERLAP, T0);
        RoleCertificatesPublished s2 = RoleCertificates.requestRotation(s1, T0.plusSeconds(1));
        assertThat(s2.rotationRequests()).isEqualTo(1);
        assertThat(s2.generation()).isEqualTo(2);
        assertThat(s2.current()).isEqualTo(s1.current());
    }
}
