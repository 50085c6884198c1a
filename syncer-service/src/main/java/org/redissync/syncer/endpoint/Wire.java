package org.redissync.syncer.endpoint;

import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of one connection's Netty pipeline, as the endpoint uses it: raw messages in (pooled {@code ByteBuf}s, no
 * copy), writes out, and the connection's events. Plain Netty, so the endpoint needs no framework internals: one
 * client or backend connection is one channel on one event loop, and everything here runs on that loop.
 *
 * <p>A write made while this connection's own read is being handled is flushed once that read burst ends (one
 * flush per burst, not per write); any other write is flushed at once.
 */
final class Wire extends ChannelInboundHandlerAdapter {

    private static final Consumer<Object> DROP = ReferenceCountUtil::release;

    private ChannelHandlerContext ctx;
    private Consumer<Object> onMessage = DROP;
    private Runnable onClose;
    private Runnable onDrain;
    private boolean reading;
    private boolean needsFlush;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** This handler's context: the last of the pipeline, so a write through it passes every handler (TLS). */
    ChannelHandlerContext ctx() {
        return ctx;
    }

    Channel channel() {
        return ctx.channel();
    }

    EventLoop loop() {
        return ctx.channel().eventLoop();
    }

    /** What each message read is given to (it owns the message); null: read messages are released. */
    void onMessage(Consumer<Object> handler) {
        this.onMessage = handler == null ? DROP : handler;
    }

    /** Run once when the connection is closed (by either side, or after an error). */
    void onClose(Runnable handler) {
        this.onClose = handler;
    }

    /** Run each time the connection can take writes again after {@link #writeQueueFull()}. */
    void onDrain(Runnable handler) {
        this.onDrain = handler;
    }

    /** More is queued to write than the channel's high water mark: stop producing until {@link #onDrain}. */
    boolean writeQueueFull() {
        return !ctx.channel().isWritable();
    }

    /** Writes {@code msg}: flushed when this connection's read burst ends, or at once outside one. */
    void write(Object msg) {
        if (reading) {
            needsFlush = true;
            ctx.write(msg, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    /** Writes and flushes {@code msg} now; the future completes once it is written. */
    ChannelFuture writeAndFlush(Object msg) {
        return ctx.writeAndFlush(msg);
    }

    /** Reads from the socket while on: backpressure at the channel itself. */
    void reading(boolean on) {
        ctx.channel().config().setAutoRead(on);
    }

    ChannelFuture close() {
        return ctx.channel().close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        onMessage.accept(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && onDrain != null) {
            onDrain.run();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Runnable r = onClose;
        onClose = null;
        onMessage = DROP;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the peer, a TLS record that does not decrypt...: the connection is over; onClose tells its owner
        ctx.close();
    }
}
