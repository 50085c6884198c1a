package org.redissync.syncer.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One Redis command as its RESP bytes ({@code *<n>\r\n} and n bulk strings): a slice of an array that is
 * never written again — a channel's read buffer, or an array of its own — plus where each argument's
 * payload lies in it. The applier writes the slice to the backend exactly as the source sent it
 * (nothing decoded and encoded again) and looks at the arguments it needs in place.
 */
public final class RespCommand {

    private final byte[] buf;
    private final int start;
    private final int end;
    /** Argument i's payload starts at {@code args[2i]} and is {@code args[2i+1]} bytes long. */
    private final int[] args;

    public RespCommand(byte[] buf, int start, int end, int[] args) {
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.args = args;
    }

    /** Encodes a command the applier makes itself ({@code SELECT}, {@code RESTORE}…). */
    public static RespCommand of(byte[]... argv) {
        int size = 1 + digits(argv.length) + 2;
        for (byte[] a : argv) {
            size += 1 + digits(a.length) + 2 + a.length + 2;
        }
        byte[] b = new byte[size];
        int[] args = new int[argv.length * 2];
        int p = header(b, 0, '*', argv.length);
        for (int i = 0; i < argv.length; i++) {
            p = header(b, p, '$', argv[i].length);
            args[2 * i] = p;
            args[2 * i + 1] = argv[i].length;
            System.arraycopy(argv[i], 0, b, p, argv[i].length);
            p += argv[i].length;
            b[p++] = '\r';
            b[p++] = '\n';
        }
        return new RespCommand(b, 0, size, args);
    }

    public static RespCommand of(String... argv) {
        byte[][] b = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) {
            b[i] = argv[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(b);
    }

    public int argc() {
        return args.length / 2;
    }

    /** Whether argument i is {@code upper}, ignoring the case of ASCII letters (command and sub-command names). */
    public boolean argIs(int i, String upper) {
        int len = args[2 * i + 1];
        if (len != upper.length()) {
            return false;
        }
        int p = args[2 * i];
        for (int k = 0; k < len; k++) {
            int c = buf[p + k];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    public boolean argEquals(int i, byte[] value) {
        int p = args[2 * i];
        return Arrays.equals(buf, p, p + args[2 * i + 1], value, 0, value.length);
    }

    public boolean argStartsWith(int i, byte[] prefix) {
        int len = args[2 * i + 1];
        int p = args[2 * i];
        return len >= prefix.length && Arrays.equals(buf, p, p + prefix.length, prefix, 0, prefix.length);
    }

    /** A copy of argument i. */
    public byte[] arg(int i) {
        int p = args[2 * i];
        return Arrays.copyOfRange(buf, p, p + args[2 * i + 1]);
    }

    /** Argument i as a decimal int ({@code SELECT}'s index). */
    public int argInt(int i) {
        int p = args[2 * i];
        int len = args[2 * i + 1];
        if (len == 0 || len > 9) {
            throw new NumberFormatException("not a small non-negative number: " + new String(arg(i), StandardCharsets.US_ASCII));
        }
        int n = 0;
        for (int k = 0; k < len; k++) {
            int d = buf[p + k] - '0';
            if (d < 0 || d > 9) {
                throw new NumberFormatException("not a small non-negative number: " + new String(arg(i), StandardCharsets.US_ASCII));
            }
            n = n * 10 + d;
        }
        return n;
    }

    public byte[] buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    /** Bytes of the whole command: what it advances a replication offset by. */
    public int length() {
        return end - start;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < argc(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            int len = args[2 * i + 1];
            b.append(new String(buf, args[2 * i], Math.min(len, 64), StandardCharsets.UTF_8));
            if (len > 64) {
                b.append("…(").append(len).append(" bytes)");
            }
        }
        return b.toString();
    }

    private static int header(byte[] b, int p, char type, int n) {
        b[p++] = (byte) type;
        String s = Integer.toString(n);
        for (int k = 0; k < s.length(); k++) {
            b[p++] = (byte) s.charAt(k);
        }
        b[p++] = '\r';
        b[p++] = '\n';
        return p;
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
