package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TlsWarmUpTest {

    @Test
    void completesFullHandshakesTheWayAChannelMakesThem() throws Exception {
        // both trust paths (published certificate, CA chain + URN + host) must accept, or a handshake throws
        assertThat(TlsWarmUp.run(4)).isPositive();
        long t0 = System.nanoTime();
        Duration last = TlsWarmUp.run(Integer.getInteger("warmup.n", 4));
        System.out.printf("warm-up: %d handshakes in %d ms, last %.2f ms%n", Integer.getInteger("warmup.n", 4),
                (System.nanoTime() - t0) / 1_000_000, last.toNanos() / 1e6);
    }
}
