package org.redissync.events.pki;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When to renew a certificate: at two thirds of its lifetime (so a 90-day certificate is renewed
 * after 60 days and has 30 days of margin), or {@code renewBefore} ahead of expiry when that is set
 * and earlier. A pure function, table-tested.
 */
public final class RenewalTime {

    private RenewalTime() {
    }

    public static Instant renewAt(Instant notBefore, Instant notAfter, Optional<Duration> renewBefore) {
        if (!notAfter.isAfter(notBefore)) {
            return notBefore;
        }
        Duration lifetime = Duration.between(notBefore, notAfter);
        Instant twoThirds = notBefore.plus(lifetime.multipliedBy(2).dividedBy(3));
        if (renewBefore.isEmpty()) {
            return twoThirds;
        }
        Instant before = notAfter.minus(renewBefore.get());
        if (before.isBefore(notBefore)) {
            return notBefore;
        }
        return before.isBefore(twoThirds) ? before : twoThirds;
    }

    public static boolean due(Instant now, Instant notBefore, Instant notAfter, Optional<Duration> renewBefore) {
        return !now.isBefore(renewAt(notBefore, notAfter, renewBefore));
    }
}
