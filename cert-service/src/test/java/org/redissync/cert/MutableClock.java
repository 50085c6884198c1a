package org.redissync.cert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's clock in tests: real time plus an offset the test can move forward. */
public class MutableClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    public void advance(Duration d) {
        offset = offset.plus(d);
    }

    /** Back to real time: every test that moves the clock resets it, so test order never matters. */
    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    /** Replaces the production clock in every {@code @QuarkusTest} of this module. */
    public static class Producer {
        static final MutableClock CLOCK = new MutableClock();

        @Produces
        @Singleton
        @Alternative
        @Priority(1)
        MutableClock mutable() {
            return CLOCK;
        }
    }
}
