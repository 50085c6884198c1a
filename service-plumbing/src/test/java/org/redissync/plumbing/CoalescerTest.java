package org.redissync.plumbing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CoalescerTest {

    /** An executor that runs what it is given only when told to (the test is the worker thread). */
    private static final class Manual implements java.util.concurrent.Executor {
        final Queue<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queue.add(r);
        }

        void runAll() {
            Runnable r;
            while ((r = queue.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void aBurstOfTriggersQueuesOneRun() {
        Manual executor = new Manual();
        AtomicInteger runs = new AtomicInteger();
        Coalescer c = new Coalescer(executor, runs::incrementAndGet);
        for (int i = 0; i < 300; i++) {
            c.trigger();
        }
        assertThat(executor.queue).hasSize(1);
        executor.runAll();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aTriggerDuringARunQueuesExactlyOneMore() {
        Manual executor = new Manual();
        AtomicInteger runs = new AtomicInteger();
        Coalescer[] self = new Coalescer[1];
        self[0] = new Coalescer(executor, () -> {
            if (runs.incrementAndGet() == 1) {
                self[0].trigger(); // a change arrives while the first run is under way
                self[0].trigger();
            }
        });
        self[0].trigger();
        executor.runAll();
        assertThat(runs).hasValue(2);
    }

    @Test
    void aShutDownExecutorIsNotAnError() {
        var executor = Executors.newSingleThreadExecutor();
        executor.shutdownNow();
        Coalescer c = new Coalescer(executor, () -> { });
        c.trigger();
        c.trigger();
    }

    @Test
    void withAMinimumIntervalTheTriggersOfTheIntervalAreOneRunThatStartsNoSooner() throws Exception {
        var executor = Executors.newSingleThreadScheduledExecutor();
        try {
            java.util.List<Long> starts = new java.util.concurrent.CopyOnWriteArrayList<>();
            Coalescer c = new Coalescer(executor, () -> starts.add(System.nanoTime()), java.time.Duration.ofMillis(300));
            c.trigger();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> starts.size() == 1);
            for (int i = 0; i < 100; i++) {
                c.trigger();
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> starts.size() == 2);
            assertThat(starts.get(1) - starts.get(0)).isGreaterThanOrEqualTo(300_000_000L);
            org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(500)).atMost(java.time.Duration.ofSeconds(2))
                    .until(() -> starts.size() == 2);
        } finally {
            executor.shutdownNow();
        }
    }
}
