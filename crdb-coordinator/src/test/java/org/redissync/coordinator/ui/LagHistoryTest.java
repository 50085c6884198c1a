package org.redissync.coordinator.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The charts' window: ten minutes, with the sample the window starts in, and a bounded number per channel. */
class LagHistoryTest {

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T12:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void keepsTheWindowAndTheSampleItStartsIn() {
        LagHistory h = new LagHistory(clock);
        Instant t0 = now.get();
        h.record("k", t0, 0);
        h.record("k", t0.plusSeconds(60), 1500);
        h.record("k", t0.plusSeconds(120), 0);
        now.set(t0.plus(Duration.ofMinutes(11)).plusSeconds(30));
        // t0 and t0+60 s are before the window (starts at t0+90 s); t0+60 s is the lag at its start, t0 goes
        assertThat(h.of("k")).extracting(LagHistory.Sample::lagMs).containsExactly(1500L, 0L);
        now.set(t0.plus(Duration.ofHours(1)));
        assertThat(h.of("k")).as("the last report stands until the next").extracting(LagHistory.Sample::lagMs).containsExactly(0L);
        assertThat(h.of("other")).isEmpty();
    }

    @Test
    void holdsAtMostItsLimitPerChannel() {
        LagHistory h = new LagHistory(clock);
        for (int i = 0; i < LagHistory.MAX_SAMPLES + 500; i++) {
            h.record("k", now.get(), i);
        }
        assertThat(h.of("k")).hasSize(LagHistory.MAX_SAMPLES).last().extracting(LagHistory.Sample::lagMs)
                .isEqualTo((long) LagHistory.MAX_SAMPLES + 499);
    }
}
