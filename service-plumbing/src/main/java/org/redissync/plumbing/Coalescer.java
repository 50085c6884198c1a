package org.redissync.plumbing;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a level-triggered task (a reconcile over the whole current state) on its executor once for any
 * number of triggers: a trigger while a run is queued adds nothing, a trigger while a run is under way
 * queues exactly one more, so no change is missed and a burst of N events costs one or two runs, not N.
 * (300 {@code bdb.config} events used to queue 300 full re-plans on each syncer.) With a minimum interval,
 * a run starts no sooner than that after the last one began: the triggers of the interval are one run.
 */
public final class Coalescer {

    private final Executor executor;
    private final Runnable task;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final long minIntervalNanos;
    private volatile long lastStart = Long.MIN_VALUE;

    public Coalescer(Executor executor, Runnable task) {
        this.executor = executor;
        this.task = task;
        this.minIntervalNanos = 0;
    }

    /** Runs at most once per {@code minInterval} (a writer batching what a burst of events changed into one write). */
    public Coalescer(ScheduledExecutorService executor, Runnable task, Duration minInterval) {
        this.executor = executor;
        this.task = task;
        this.minIntervalNanos = minInterval.toNanos();
    }

    /** From any thread; never blocks. Ignored once the executor is shut down. */
    public void trigger() {
        if (queued.compareAndSet(false, true)) {
            try {
                long wait = lastStart == Long.MIN_VALUE ? 0 : lastStart + minIntervalNanos - System.nanoTime();
                if (minIntervalNanos > 0 && wait > 0) {
                    ((ScheduledExecutorService) executor).schedule(this::run, wait, TimeUnit.NANOSECONDS);
                } else {
                    executor.execute(this::run);
                }
            } catch (RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    private void run() {
        queued.set(false); // before the task: a change it might not see queues the next run
        lastStart = System.nanoTime();
        task.run();
    }
}
