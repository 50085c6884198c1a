package org.redissync.syncer.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Splits a client's bytes into whole RESP commands and tells which may share a backend connection
 * with other clients' commands. A command may share when it is a well-formed multibulk request whose
 * reply is exactly one reply and which changes nothing about the connection it runs on; everything
 * else (inline commands, anything the framer does not fully understand, {@code SELECT},
 * {@code MULTI}, blocking and pub/sub commands, ...) needs a connection of its own, and from there on
 * the client gets one. Pure logic, no state between calls: the caller keeps an incomplete tail and
 * scans it again with the bytes that follow.
 */
final class RespRequestFramer {

    /** Why a scan stopped before the end of the bytes. */
    enum Stop {
        /** All bytes were whole, shareable commands. */
        END,
        /** The bytes end inside a command: scan again with more bytes. */
        PARTIAL,
        /** The command at {@link #complete()} needs a connection of its own. */
        DEDICATED
    }

    /** Redis's own limits (proto-max-bulk-len, multibulk length): beyond them, let Redis answer. */
    static final long MAX_BULK = 512L * 1024 * 1024;
    static final long MAX_ARGS = 1024L * 1024;

    private int complete;
    private int commands;
    private Stop stop;
    /** The buffer being scanned, and its memory address when it has one (0 otherwise). */
    private ByteBuf buf;
    private long address;

    /** Bytes from the reader index that are whole shareable commands. */
    int complete() {
        return complete;
    }

    /** How many commands those bytes hold (each gets exactly one reply). */
    int commands() {
        return commands;
    }

    Stop stop() {
        return stop;
    }

    /** Scans the readable bytes of {@code buf}; does not move its indexes. */
    RespRequestFramer scan(ByteBuf buf) {
        this.buf = buf;
        this.address = buf.hasMemoryAddress() ? buf.memoryAddress() : 0;
        try {
            return scan();
        } finally {
            this.buf = null;
        }
    }

    /**
     * One byte of the buffer. Every index is checked against the writer index before it is read, so a
     * direct buffer is read by address: {@code ByteBuf.getByte} checks bounds and the reference count on
     * every call, which made this loop the endpoint's busiest Java code at {@code -P 16}.
     */
    private byte at(int i) {
        return address != 0 ? PlatformDependent.getByte(address + i) : buf.getByte(i);
    }

    private RespRequestFramer scan() {
        int base = buf.readerIndex();
        int end = buf.writerIndex();
        int pos = base;
        commands = 0;
        while (true) {
            complete = pos - base;
            if (pos == end) {
                stop = Stop.END;
                return this;
            }
            if (at(pos) != '*') {
                stop = Stop.DEDICATED; // inline command or garbage: Redis parses it on a connection of its own
                return this;
            }
            long args = number(pos + 1, end);
            if (args == NEED_MORE) {
                stop = Stop.PARTIAL;
                return this;
            }
            if (args <= 0 || args > MAX_ARGS) {
                stop = Stop.DEDICATED; // *0 gets no reply at all; negative or huge: a protocol error
                return this;
            }
            int p = lineEnd;
            boolean shareable = true;
            for (long a = 0; a < args; a++) {
                if (p >= end) {
                    stop = Stop.PARTIAL;
                    return this;
                }
                if (at(p) != '$') {
                    stop = Stop.DEDICATED;
                    return this;
                }
                long len = number(p + 1, end);
                if (len == NEED_MORE) {
                    stop = Stop.PARTIAL;
                    return this;
                }
                if (len < 0 || len > MAX_BULK) {
                    stop = Stop.DEDICATED;
                    return this;
                }
                int body = lineEnd;
                if ((long) body + len + 2 > end) {
                    if (a == 0 && body + len <= end && !shareable(body, (int) len)) {
                        stop = Stop.DEDICATED;
                        return this;
                    }
                    stop = Stop.PARTIAL;
                    return this;
                }
                if (at(body + (int) len) != '\r' || at(body + (int) len + 1) != '\n') {
                    stop = Stop.DEDICATED;
                    return this;
                }
                if (a == 0) {
                    shareable = shareable(body, (int) len);
                    if (!shareable) {
                        stop = Stop.DEDICATED;
                        return this;
                    }
                }
                p = body + (int) len + 2;
            }
            pos = p;
            commands++;
        }
    }

    private static final long NEED_MORE = Long.MIN_VALUE;
    private static final long INVALID = -2;
    private int lineEnd;

    /** A decimal number from {@code p} up to CRLF; sets {@link #lineEnd} past the LF. */
    private long number(int p, int end) {
        long n = 0;
        boolean negative = false;
        int digits = 0;
        for (int i = p; i < end; i++) {
            byte b = at(i);
            if (b == '\r') {
                if (i + 1 >= end) {
                    return NEED_MORE;
                }
                if (at(i + 1) != '\n' || digits == 0) {
                    return INVALID;
                }
                lineEnd = i + 2;
                return negative ? -n : n;
            }
            if (b == '-' && i == p) {
                negative = true;
            } else if (b >= '0' && b <= '9' && digits < 18) {
                n = n * 10 + (b - '0');
                digits++;
            } else {
                return INVALID;
            }
        }
        return NEED_MORE;
    }

    /** Whether the command named by {@code len} bytes at {@code at} may share a connection. */
    private boolean shareable(int from, int len) {
        for (byte[] name : Commands.NAMES) {
            if (name.length == len && equalsIgnoreCase(from, name)) {
                return false;
            }
        }
        return len > 0;
    }

    private boolean equalsIgnoreCase(int from, byte[] upper) {
        for (int i = 0; i < upper.length; i++) {
            byte b = at(from + i);
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper[i]) {
                return false;
            }
        }
        return true;
    }

    /** Which command names must not share a connection. */
    static final class Commands {
        /** Commands that change the connection's state, block it, or do not answer with exactly one reply. */
        static final String[] OWN_CONNECTION = {
            "AUTH", "HELLO", "SELECT", "RESET", "QUIT", "CLIENT", "READONLY", "READWRITE", "ASKING",
            "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
            "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
            "SYNC", "PSYNC", "REPLCONF", "REPLICAOF", "SLAVEOF", "FAILOVER", "SHUTDOWN", "DEBUG",
            "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP",
            "WAIT", "WAITAOF",
        };
        private static final byte[][] NAMES;

        static {
            NAMES = new byte[OWN_CONNECTION.length][];
            for (int i = 0; i < OWN_CONNECTION.length; i++) {
                NAMES[i] = OWN_CONNECTION[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
        }

        private Commands() {
        }
    }
}
