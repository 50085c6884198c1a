package org.redissync.syncer.endpoint;

import io.netty.handler.ssl.SslContext;

import org.redissync.events.TlsMode;

/**
 * What a new connection to an endpoint gets: one immutable snapshot per applied generation. A
 * connection keeps the snapshot it was accepted with, so every change applies to new connections
 * only (the seed's note).
 */
record EndpointSettings(long generation, TlsMode mode, ClientCertificatePolicy policy, SslContext ssl, String backendHost,
        int backendPort) {
}
