package org.redissync.syncer.endpoint;

import java.util.function.BooleanSupplier;

import io.netty.channel.ChannelHandlerContext;

/**
 * Writes to a connection now and flushes it once per event-loop turn: the flush is queued behind every
 * socket that was ready in this turn, so what many reads produced goes out in one write (one syscall,
 * one TLS record run). Used only on the connection's own event loop.
 */
final class TurnFlusher implements Runnable {

    private final ChannelHandlerContext ctx;
    private final BooleanSupplier open;
    private boolean queued;

    /** @param open false once the connection is closed or failed: a queued flush then does nothing */
    TurnFlusher(ChannelHandlerContext ctx, BooleanSupplier open) {
        this.ctx = ctx;
        this.open = open;
    }

    void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        if (!queued) {
            queued = true;
            ctx.executor().execute(this);
        }
    }

    @Override
    public void run() {
        queued = false;
        if (open.getAsBoolean()) {
            ctx.flush();
        }
    }
}
