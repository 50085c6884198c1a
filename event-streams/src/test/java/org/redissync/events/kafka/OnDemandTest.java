package org.redissync.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OnDemandTest {

    @Test
    void aClientIsMadeAtFirstUseAgainAfterAFailedAttemptAndOnceOnly() {
        AtomicInteger attempts = new AtomicInteger();
        OnDemand<String> client = new OnDemand<>(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ConfigException("No resolvable bootstrap urls given in bootstrap.servers");
            }
            return "client-" + attempts.get();
        });
        assertThat(attempts).hasValue(0); // nothing made until needed
        assertThatThrownBy(client::get).isInstanceOf(ConfigException.class);
        assertThat(client.get()).isEqualTo("client-2");
        assertThat(client.get()).isEqualTo("client-2");
        assertThat(attempts).hasValue(2);
    }

    @Test
    void closingClosesWhatWasMadeAndNothingIsMadeAfter() {
        List<String> closed = new ArrayList<>();
        OnDemand<String> never = new OnDemand<>(() -> "x");
        never.close(closed::add);
        assertThat(closed).isEmpty();
        OnDemand<String> made = new OnDemand<>(() -> "y");
        made.get();
        made.close(closed::add);
        assertThat(closed).containsExactly("y");
        assertThatThrownBy(made::get).isInstanceOf(IllegalStateException.class);
    }
}
