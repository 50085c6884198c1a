package org.redissync.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, for launchers waiting on a child process. */
final class Waits {

    private Waits() {
    }

    /**
     * Waits until {@code done} holds; fails fast when {@code alive} turns false.
     *
     * @return true when done, false on timeout
     */
    static boolean until(BooleanSupplier done, BooleanSupplier alive, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (!alive.getAsBoolean()) {
                return done.getAsBoolean();
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return done.getAsBoolean();
    }
}
