package org.redissync.syncer.endpoint;

import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.SocketAddress;

import org.redissync.events.TlsMode;
import org.redissync.syncer.shard.Backend;

/**
 * What a new connection to an endpoint gets: one immutable snapshot per applied generation. A
 * connection keeps the snapshot it was accepted with, so every change applies to new connections
 * only (the seed's note).
 */
record EndpointSettings(long generation, TlsMode mode, ClientCertificatePolicy policy, SslContext ssl, Backend backend,
        /** RE's {@code max_connections}: client connections beyond it are refused; 0 is no limit. */
        int maxConnections) {

    /** Where Vert.x connects to the backend: host and port, or the Unix socket (native transport). */
    SocketAddress backendSocket() {
        return backend.address().isUnix() ? SocketAddress.domainSocketAddress(backend.address().socketPath())
                : SocketAddress.inetSocketAddress(backend.address().port(), backend.address().host());
    }
}
