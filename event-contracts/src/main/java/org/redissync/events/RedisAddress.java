package org.redissync.events;

import java.util.Objects;

/**
 * Where a Redis protocol server listens. A bdb's backend, as {@code bdb.config}'s {@code backend} carries it:
 * {@code host:port} ({@code [ipv6]:port}), or {@code unix:/absolute/path} for a Unix domain socket on the
 * syncer-service's host (redis's {@code unixsocket}) — a socket is for a backend beside its syncer-service: no TCP
 * stack and no connection tracking on the hop. A CRDB instance's {@code replication_endpoint}, which peers reach
 * over the network, is the {@code host:port} form only ({@link #parseTcp}).
 *
 * @param host       host name or IP (an IPv6 address without brackets), null for a socket
 * @param port       1–65535, 0 for a socket
 * @param socketPath absolute path of the socket, null for host:port
 */
public record RedisAddress(String host, int port, String socketPath) {

    /** The prefix of the socket form. */
    public static final String UNIX = "unix:";

    /** Linux's {@code sun_path} holds 108 bytes, the terminating NUL included. */
    static final int MAX_SOCKET_PATH = 107;

    public RedisAddress {
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
    public static RedisAddress parse(String s) {
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
            return new RedisAddress(null, 0, path);
        }
        return parseTcp(s, "host:port or unix:/absolute/path expected");
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}, nothing else.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static RedisAddress parseTcp(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("host:port expected");
        }
        if (s.startsWith(UNIX)) {
            throw new IllegalArgumentException("host:port expected, not a Unix socket (peers connect over the network)");
        }
        return parseTcp(s, "host:port expected");
    }

    private static RedisAddress parseTcp(String s, String expected) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(expected);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[")) {
            String inner = host.endsWith("]") ? host.substring(1, host.length() - 1) : "";
            if (inner.indexOf(':') < 0 || inner.indexOf('[') >= 0 || inner.indexOf(']') >= 0) {
                throw new IllegalArgumentException("'" + host + "' is not a bracketed IPv6 address");
            }
            host = inner;
        } else if (host.indexOf(':') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException(expected + " (an IPv6 address goes in brackets: [::1]:6379)");
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
        return new RedisAddress(host, port, null);
    }

    /** {@link #parse}, under the name configuration converters look for. */
    public static RedisAddress valueOf(String s) {
        return parse(s);
    }

    public static RedisAddress tcp(String host, int port) {
        return new RedisAddress(host, port, null);
    }

    public static RedisAddress unix(String socketPath) {
        return parse(UNIX + socketPath);
    }

    public boolean isUnix() {
        return socketPath != null;
    }

    /** The form {@link #parse} reads. */
    @Override
    public String toString() {
        if (isUnix()) {
            return UNIX + socketPath;
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
