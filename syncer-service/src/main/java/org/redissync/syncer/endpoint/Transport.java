package org.redissync.syncer.endpoint;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

/**
 * The channel classes that fit the application's event loops: epoll's when Vert.x runs on the native transport
 * ({@code quarkus.vertx.prefer-native-transport}, which Unix-socket backends need), NIO's otherwise.
 */
enum Transport {
    EPOLL, NIO;

    static Transport of(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EPOLL : NIO;
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends Channel> clientChannel(SocketAddress to) {
        if (to instanceof DomainSocketAddress) {
            if (this != EPOLL) {
                throw new IllegalStateException("a Unix socket backend needs the native transport (epoll)");
            }
            return EpollDomainSocketChannel.class;
        }
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
