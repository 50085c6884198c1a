package org.redissync.events.kafka;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a level-triggered task (a reconcile over the whole current state) on its executor once for any
 * number of triggers: a trigger while a run is queued adds nothing, a trigger while a run is under way
 * queues exactly one more, so no change is missed and a burst of N events costs one or two runs, not N.
 * (300 {@code bdb.config} events used to queue 300 full re-plans on each syncer.)
 */
public final class Coalescer {

    private final Executor executor;
    private final Runnable task;
    private final AtomicBoolean queued = new AtomicBoolean();

    public Coalescer(Executor executor, Runnable task) {
        this.executor = executor;
        this.task = task;
    }

    /** From any thread; never blocks. Ignored once the executor is shut down. */
    public void trigger() {
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    private void run() {
        queued.set(false); // before the task: a change it might not see queues the next run
        task.run();
    }
}
