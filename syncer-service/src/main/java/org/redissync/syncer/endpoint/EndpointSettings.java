package org.redissync.syncer.endpoint;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;

import org.redissync.events.TlsMode;
import org.redissync.syncer.shard.Backend;

/**
 * What a new connection to an endpoint gets: one immutable snapshot per applied generation. A
 * connection keeps the snapshot it was accepted with, so every change applies to new connections
 * only (the seed's note).
 *
 * @param lowestTls     the oldest TLS version new connections accept, as its wire number ({@link TlsHello#version})
 * @param backendSocket where the backend is connected to: its Unix socket, or host and port resolved when the settings
 *                      were made (never on an event loop)
 * @param crdtOrigin    this cluster's name when the bdb is a convergent CRDB instance (its writes go through the
 *                      convergence library, stamped with this origin), else null
 */
record EndpointSettings(long generation, TlsMode mode, ClientCertificatePolicy policy, SslContext ssl, Backend backend,
        /** RE's {@code max_connections}: client connections beyond it are refused; 0 is no limit. */
        int maxConnections, int lowestTls, SocketAddress backendSocket, String crdtOrigin) {

    EndpointSettings(long generation, TlsMode mode, ClientCertificatePolicy policy, SslContext ssl, Backend backend, int maxConnections,
            java.util.Collection<String> protocols) {
        this(generation, mode, policy, ssl, backend, maxConnections, protocols, null);
    }

    EndpointSettings(long generation, TlsMode mode, ClientCertificatePolicy policy, SslContext ssl, Backend backend, int maxConnections,
            java.util.Collection<String> protocols, String crdtOrigin) {
        this(generation, mode, policy, ssl, backend, maxConnections,
                protocols.stream().mapToInt(TlsHello::version).filter(v -> v != TlsHello.UNKNOWN).min().orElse(TlsHello.UNKNOWN),
                socketOf(backend), crdtOrigin);
    }

    /** The backend's address for a connect: a name is looked up here, once; one that does not resolve fails each connect. */
    static SocketAddress socketOf(Backend backend) {
        var a = backend.address();
        return a.isUnix() ? new DomainSocketAddress(a.socketPath()) : new InetSocketAddress(a.host(), a.port());
    }
}
