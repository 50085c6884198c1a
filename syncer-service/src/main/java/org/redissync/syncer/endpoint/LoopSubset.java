package org.redissync.syncer.endpoint;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * Some of the application's event loops, taken in turn: where an endpoint's accepted connections are registered,
 * one per loop in round robin (as many loops as {@code redissync.cluster.acceptors}). The loops belong to Vert.x;
 * this view never shuts them down.
 */
final class LoopSubset extends AbstractEventExecutorGroup implements EventLoopGroup {

    private final List<EventLoop> loops;
    private final AtomicInteger next = new AtomicInteger();
    private final Future<?> never = ImmediateEventExecutor.INSTANCE.newPromise();

    LoopSubset(List<EventLoop> loops) {
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("no event loop");
        }
        this.loops = List.copyOf(loops);
    }

    @Override
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Iterator<EventExecutor> iterator() {
        return (Iterator) loops.iterator();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return next().register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return next().register(promise);
    }

    @Override
    @Deprecated
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return next().register(channel, promise);
    }

    // Not ours to stop: the loops live as long as Vert.x.

    @Override
    public boolean isShuttingDown() {
        return false;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return never;
    }

    @Override
    public Future<?> terminationFuture() {
        return never;
    }

    @Override
    @Deprecated
    public void shutdown() {
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
