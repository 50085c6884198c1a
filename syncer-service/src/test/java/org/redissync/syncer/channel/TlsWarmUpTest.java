package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TlsWarmUpTest {

    @Test
    void completesFullHandshakesTheWayAChannelMakesThem() throws Exception {
        // both trust paths (published certificate, CA chain + URN + host) must accept, or a handshake throws
        assertThat(TlsWarmUp.run(4, null)).isPositive();
        long t0 = System.nanoTime();
        Duration last = TlsWarmUp.run(Integer.getInteger("warmup.n", 4), null);
        System.out.printf("warm-up: %d handshakes in %d ms, last %.2f ms%n", Integer.getInteger("warmup.n", 4),
                (System.nanoTime() - t0) / 1_000_000, last.toNanos() / 1e6);
    }

    /**
     * Not a check: {@code deploy/bench/channel-handshakes.sh} runs it ({@code -Dbench.handshakes=N}) to print what a
     * channel's client handshake costs with each provider, the two taking turns, in one JVM.
     */
    @Test
    void handshakeCostPerProvider() throws Exception {
        int n = Integer.getInteger("bench.handshakes", 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(n > 0, "a benchmark: run by deploy/bench/channel-handshakes.sh");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        java.security.Provider boring = org.conscrypt.Conscrypt.newProvider();
        FastEcdsa.install(); // as a syncer with tls-provider jdk runs (fast-ecdsa on by default)
        for (int round = 1; round <= Integer.getInteger("bench.rounds", 5); round++) {
            for (java.security.Provider p : round % 2 == 1 ? new java.security.Provider[] {null, boring} : new java.security.Provider[] {boring, null}) {
                long wall = System.nanoTime();
                long cpu = threads.getCurrentThreadCpuTime();
                TlsWarmUp.run(n, p);
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                wall = System.nanoTime() - wall;
                System.out.printf("bench: round %d %-9s %d handshakes: %6.2f ms CPU each (client and server), %6.2f ms wall each%n", round,
                        p == null ? "jdk" : "boringssl", n, cpu / 1e6 / n, wall / 1e6 / n);
            }
        }
    }

    @Test
    void completesThemWithBoringSslAsTheClient() throws Exception {
        assertThat(org.conscrypt.Conscrypt.isAvailable()).as("Conscrypt's native library loads here").isTrue();
        assertThat(TlsWarmUp.run(4, org.conscrypt.Conscrypt.newProvider())).isPositive();
    }
}
