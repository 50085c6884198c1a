package org.redissync.events.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenewalTimeTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @ParameterizedTest(name = "{0}-day certificate, renew-before {1} -> renew after {2}")
    @CsvSource({
            // lifetime days, renewBefore (ISO or empty), expected offset from notBefore
            "90, , P60D",
            "365, , PT5840H",      // 243d8h
            "30, , P20D",
            "90, P10D, P60D",      // renew-before later than 2/3: 2/3 wins
            "90, P45D, P45D",      // renew-before earlier than 2/3: it wins
            "90, P100D, PT0S",     // longer than the lifetime: renew at once
            "1, , PT16H",
    })
    void renewsAtTwoThirdsOfTheLifetimeOrEarlierWhenAskedTo(int days, String renewBefore, String expectedOffset) {
        Instant notAfter = T0.plus(Duration.ofDays(days));
        Optional<Duration> before = renewBefore == null ? Optional.empty() : Optional.of(Duration.parse(renewBefore));
        assertThat(RenewalTime.renewAt(T0, notAfter, before)).isEqualTo(T0.plus(Duration.parse(expectedOffset)));
    }

    @ParameterizedTest
    @CsvSource({"P59DT23H59M59S, false", "P60D, true", "P89D, true"})
    void isDueFromTheRenewalTimeOn(String elapsed, boolean due) {
        Instant notAfter = T0.plus(Duration.ofDays(90));
        assertThat(RenewalTime.due(T0.plus(Duration.parse(elapsed)), T0, notAfter, Optional.empty())).isEqualTo(due);
    }
}
