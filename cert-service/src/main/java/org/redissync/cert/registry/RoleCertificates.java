package org.redissync.cert.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;

/**
 * The certificates of one cluster role over time: the current one, and predecessors that stay
 * trusted through an overlap window (until {@code min(notAfter, replacedAt + overlap)}), so a peer
 * that has not switched yet is never refused. Pure: every transition returns the next event.
 */
public final class RoleCertificates {

    private RoleCertificates() {
    }

    /** The state after {@code next} replaces whatever was current ({@code previous} may be null). */
    public static RoleCertificatesPublished replace(RoleCertificatesPublished previous, String cluster, CertRole role,
            PublishedCertificate next, boolean operatorSupplied, Duration overlap, Instant now) {
        List<PublishedCertificate> trusted = new ArrayList<>();
        trusted.add(withTrustedUntil(next, null));
        long generation = 1;
        long rotations = 0;
        if (previous != null) {
            generation = previous.generation() + 1;
            rotations = previous.rotationRequests();
            PublishedCertificate old = previous.current();
            if (old != null && !old.fingerprintSha256().equals(next.fingerprintSha256())) {
                Instant until = now.plus(overlap);
                if (old.notAfter().isBefore(until)) {
                    until = old.notAfter();
                }
                if (until.isAfter(now)) {
                    trusted.add(withTrustedUntil(old, until));
                }
            }
            for (PublishedCertificate p : previous.trusted()) {
                if (p.trustedUntil() != null && p.trustedUntil().isAfter(now)
                        && trusted.stream().noneMatch(t -> t.fingerprintSha256().equals(p.fingerprintSha256()))) {
                    trusted.add(p);
                }
            }
        }
        return new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, cluster, role, generation,
                withTrustedUntil(next, null), trusted, operatorSupplied, rotations, now);
    }

    /** The state without predecessors whose overlap ended by {@code now}, or empty when nothing changes. */
    public static Optional<RoleCertificatesPublished> prune(RoleCertificatesPublished state, Instant now) {
        List<PublishedCertificate> kept = state.trusted().stream()
                .filter(p -> p.trustedUntil() == null || p.trustedUntil().isAfter(now))
                .toList();
        if (kept.size() == state.trusted().size()) {
            return Optional.empty();
        }
        return Optional.of(new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, state.cluster(), state.role(),
                state.generation() + 1, state.current(), kept, state.operatorSupplied(), state.rotationRequests(), now));
    }

    /** The state asking the owner to re-key now. */
    public static RoleCertificatesPublished requestRotation(RoleCertificatesPublished state, Instant now) {
        return new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, state.cluster(), state.role(),
                state.generation() + 1, state.current(), state.trusted(), state.operatorSupplied(), state.rotationRequests() + 1,
                now);
    }

    /** The earliest moment a predecessor's overlap ends, if any: when {@link #prune} has work. */
    public static Optional<Instant> nextExpiry(RoleCertificatesPublished state) {
        return state.trusted().stream().map(PublishedCertificate::trustedUntil).filter(java.util.Objects::nonNull)
                .min(Instant::compareTo);
    }

    private static PublishedCertificate withTrustedUntil(PublishedCertificate c, Instant until) {
        return new PublishedCertificate(c.chainPem(), c.fingerprintSha256(), c.subject(), c.serial(), c.notBefore(), c.notAfter(),
                until);
    }
}
