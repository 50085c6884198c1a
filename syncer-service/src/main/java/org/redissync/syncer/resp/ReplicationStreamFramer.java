package org.redissync.syncer.resp;

import java.io.IOException;
import java.util.Arrays;

/**
 * Finds whole commands in a source's replication stream as it arrives in pieces, without copying
 * them: a command is {@code *<n>\r\n} followed by n bulk strings ({@code $<len>\r\n<payload>\r\n}),
 * which is all a Redis master propagates. A bare {@code \n} between commands (a keep-alive some
 * Redis versions send) is skipped and, like Redis's own replicas, not counted in the offset.
 * Anything else is a broken stream: an {@link IOException}, after which the channel reconnects
 * and resumes from its committed position.
 *
 * <p>Usage: {@link #next} returns the command starting at {@code from} if all of it is in
 * {@code buf[from, to)}, else null; {@link #position()} is then where reading continues.
 */
public final class ReplicationStreamFramer {

    /** Digits of a count or length: more without a {@code \r} is not RESP. */
    private static final int MAX_NUMBER_DIGITS = 10;
    /** Larger than an array can hold (Redis's proto-max-bulk-len defaults to 512 MiB). */
    private static final long MAX_ARGUMENT = Integer.MAX_VALUE - 64;
    private static final long INCOMPLETE = Long.MIN_VALUE;

    private int[] scratch = new int[32];
    private int position;
    private int numberEnd;

    /**
     * The command that starts at {@code from} (after any bare newlines), or null when it is not yet
     * complete in {@code buf[from, to)}.
     */
    public RespCommand next(byte[] buf, int from, int to) throws IOException {
        int p = from;
        while (p < to && buf[p] == '\n') {
            p++;
        }
        position = p;
        if (p == to) {
            return null;
        }
        int start = p;
        if (buf[p] != '*') {
            throw malformed("a command starts with '*'", buf[p]);
        }
        long argc = number(buf, p + 1, to);
        if (argc == INCOMPLETE) {
            return null;
        }
        if (argc < 1 || argc > Integer.MAX_VALUE / 2) {
            throw new IOException("replication stream: a command of " + argc + " arguments");
        }
        p = numberEnd;
        int n = (int) argc;
        if (scratch.length < 2 * n) {
            scratch = new int[Math.max(2 * n, scratch.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            if (p >= to) {
                return null;
            }
            if (buf[p] != '$') {
                throw malformed("an argument starts with '$'", buf[p]);
            }
            long len = number(buf, p + 1, to);
            if (len == INCOMPLETE) {
                return null;
            }
            if (len < 0 || len > MAX_ARGUMENT) {
                throw new IOException("replication stream: an argument of length " + len);
            }
            p = numberEnd;
            if (to - p < len + 2) {
                return null;
            }
            scratch[2 * i] = p;
            scratch[2 * i + 1] = (int) len;
            p += (int) len;
            if (buf[p] != '\r' || buf[p + 1] != '\n') {
                throw new IOException("replication stream: an argument does not end with CRLF after its " + len + " bytes");
            }
            p += 2;
        }
        position = p;
        return new RespCommand(buf, start, p, Arrays.copyOf(scratch, 2 * n));
    }

    /** After {@link #next}: the end of the command it returned, or where the incomplete one starts. */
    public int position() {
        return position;
    }

    /** A decimal number from {@code p} to its CRLF; sets {@link #numberEnd} past the CRLF. */
    private long number(byte[] buf, int p, int to) throws IOException {
        long v = 0;
        boolean negative = false;
        int digits = 0;
        int q = p;
        if (q < to && buf[q] == '-') {
            negative = true;
            q++;
        }
        for (; q < to; q++) {
            byte c = buf[q];
            if (c == '\r') {
                if (q + 1 >= to) {
                    return INCOMPLETE;
                }
                if (buf[q + 1] != '\n' || digits == 0) {
                    throw malformed("a number ends with CRLF", buf[q + 1]);
                }
                numberEnd = q + 2;
                return negative ? -v : v;
            }
            if (c < '0' || c > '9' || ++digits > MAX_NUMBER_DIGITS) {
                throw malformed("a count or length of at most " + MAX_NUMBER_DIGITS + " digits", c);
            }
            v = v * 10 + (c - '0');
        }
        return INCOMPLETE;
    }

    private static IOException malformed(String expected, byte got) {
        return new IOException("replication stream is not RESP: expected " + expected + ", got "
                + (got >= 32 && got < 127 ? "'" + (char) got + "'" : "byte " + (got & 0xff)));
    }
}
