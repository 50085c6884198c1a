package org.redissync.syncer.endpoint;

import io.netty.buffer.ByteBuf;

/**
 * The highest TLS version a ClientHello offers, read from its bytes (the {@code supported_versions} extension, else
 * the legacy version field): how the endpoint tells a client too old for the endpoint's minimum from any other failed
 * handshake, by what the client sent rather than by an error's text. Reads only; never consumes.
 */
final class TlsHello {

    /** Not a whole ClientHello in the bytes seen (or not a ClientHello at all). */
    static final int UNKNOWN = -1;
    /** An SSL 2.0 style hello: older than any version the endpoint accepts. */
    static final int SSL2 = 0x0200;

    private static final int HANDSHAKE = 0x16;
    private static final int CLIENT_HELLO = 1;
    private static final int SUPPORTED_VERSIONS = 0x002b;

    private TlsHello() {
    }

    /** The highest version offered, as its wire number (TLS 1.0 {@code 0x0301} ... TLS 1.3 {@code 0x0304}), or {@link #UNKNOWN}. */
    static int highestOffered(ByteBuf buf) {
        int r = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - r < 1) {
            return UNKNOWN;
        }
        if ((buf.getUnsignedByte(r) & 0x80) != 0) {
            return SSL2;
        }
        if (end - r < 5 || buf.getUnsignedByte(r) != HANDSHAKE) {
            return UNKNOWN;
        }
        int recordEnd = Math.min(end, r + 5 + buf.getUnsignedShort(r + 3));
        int p = r + 5;
        if (recordEnd - p < 4 || buf.getUnsignedByte(p) != CLIENT_HELLO) {
            return UNKNOWN;
        }
        p += 4;
        if (recordEnd - p < 2 + 32 + 1) {
            return UNKNOWN;
        }
        int legacy = buf.getUnsignedShort(p);
        p += 2 + 32;
        p += 1 + buf.getUnsignedByte(p); // session id
        if (recordEnd - p < 2) {
            return UNKNOWN;
        }
        p += 2 + buf.getUnsignedShort(p); // cipher suites
        if (recordEnd - p < 1) {
            return UNKNOWN;
        }
        p += 1 + buf.getUnsignedByte(p); // compression methods
        if (recordEnd - p < 2) {
            return p == recordEnd ? legacy : UNKNOWN; // no extensions: the legacy field is the offer
        }
        int extEnd = p + 2 + buf.getUnsignedShort(p);
        if (extEnd > recordEnd) {
            return UNKNOWN;
        }
        p += 2;
        while (extEnd - p >= 4) {
            int type = buf.getUnsignedShort(p);
            int len = buf.getUnsignedShort(p + 2);
            p += 4;
            if (p + len > extEnd) {
                return UNKNOWN;
            }
            if (type == SUPPORTED_VERSIONS && len >= 1) {
                int listEnd = Math.min(p + len, p + 1 + buf.getUnsignedByte(p));
                int highest = UNKNOWN;
                for (int q = p + 1; q + 2 <= listEnd; q += 2) {
                    int v = buf.getUnsignedShort(q);
                    if ((v & 0x0f0f) != 0x0a0a) { // GREASE values (RFC 8701) offer nothing
                        highest = Math.max(highest, v);
                    }
                }
                return highest == UNKNOWN ? legacy : highest;
            }
            p += len;
        }
        return legacy;
    }

    /** The wire number of a JDK protocol name ({@code TLSv1.2}), or {@link #UNKNOWN}. */
    static int version(String protocol) {
        return switch (protocol) {
            case "TLSv1" -> 0x0301;
            case "TLSv1.1" -> 0x0302;
            case "TLSv1.2" -> 0x0303;
            case "TLSv1.3" -> 0x0304;
            default -> UNKNOWN;
        };
    }
}
