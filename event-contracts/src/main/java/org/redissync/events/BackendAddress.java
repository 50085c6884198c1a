package org.redissync.events;

import java.util.Objects;

/**
 * Where a bdb's backend redis-server listens, as {@code bdb.config}'s {@code backend} carries it: {@code host:port},
 * or {@code unix:/absolute/path} for a Unix domain socket on the syncer-service's host (redis's {@code unixsocket}).
 * A socket is for a backend beside its syncer-service: no TCP stack and no connection tracking on the hop.
 *
 * @param host       host name or IP, null for a socket
 * @param port       1–65535, 0 for a socket
 * @param socketPath absolute path of the socket, null for host:port
 */
public record BackendAddress(String host, int port, String socketPath) {

    /** The prefix of the socket form. */
    public static final String UNIX = "unix:";

    /** Linux's {@code sun_path} holds 108 bytes, the terminating NUL included. */
    static final int MAX_SOCKET_PATH = 107;

    public BackendAddress {
        if (socketPath == null) {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not 1-65535");
            }
        }
    }

    /**
     * Parses {@code host:port} or {@code unix:/path}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static BackendAddress parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("host:port or unix:/absolute/path expected");
        }
        if (s.startsWith(UNIX)) {
            String path = s.substring(UNIX.length());
            if (!path.startsWith("/") || path.contains("\0") || path.endsWith("/")) {
                throw new IllegalArgumentException("unix: needs an absolute path to a socket, e.g. unix:/var/run/redis/redis.sock");
            }
            if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new IllegalArgumentException("socket path longer than " + MAX_SOCKET_PATH + " bytes (the kernel's limit)");
            }
            return new BackendAddress(null, 0, path);
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || s.indexOf(':') != colon || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("host:port or unix:/absolute/path expected");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + s.substring(colon + 1) + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1-65535");
        }
        return new BackendAddress(s.substring(0, colon), port, null);
    }

    /** {@link #parse}, under the name configuration converters look for. */
    public static BackendAddress valueOf(String s) {
        return parse(s);
    }

    public static BackendAddress tcp(String host, int port) {
        return new BackendAddress(host, port, null);
    }

    public static BackendAddress unix(String socketPath) {
        return parse(UNIX + socketPath);
    }

    public boolean isUnix() {
        return socketPath != null;
    }

    /** The form {@link #parse} reads. */
    @Override
    public String toString() {
        return isUnix() ? UNIX + socketPath : host + ":" + port;
    }
}
