package org.redissync.coordinator.bdb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Collection;

import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.RedisAddress;

/**
 * A bdb's {@code backend}: an external Redis an operator runs themselves (without one, the bdb's cluster makes its own).
 * Checked before it is accepted: never another bdb's (two databases in one Redis would see each other's data), and
 * reachable now (checked from the coordinator: in a deployment where only the syncer-service's host reaches it, a socket
 * on that host, give the syncer-service's view by running the coordinator there or use the cluster's own Redis).
 */
final class ExternalBackends {

    static final int CONNECT_TIMEOUT_MS = 2000;

    private ExternalBackends() {
    }

    static void check(String backend, long uid, String cluster, Collection<BdbConfigured> bdbs) {
        RedisAddress address = RedisAddress.parse(backend);
        for (BdbConfigured other : bdbs) {
            if (other.uid() != uid && backend.equals(other.backend()) && (!address.isUnix() || other.cluster().equals(cluster))) {
                throw new ApiException(ApiError.BACKEND_IN_USE, "backend: " + backend + " is the Redis of bdb " + other.uid()
                        + "; each bdb needs its own (leave backend out and the cluster makes one)");
            }
        }
        try {
            if (address.isUnix()) {
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(Path.of(address.socketPath())));
                }
            } else {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address.host(), address.port()), CONNECT_TIMEOUT_MS);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ApiError.BACKEND_UNREACHABLE, "backend: " + backend + " is unreachable (" + e.getMessage()
                    + "); name a running Redis, or leave backend out and the cluster makes one");
        }
    }
}
