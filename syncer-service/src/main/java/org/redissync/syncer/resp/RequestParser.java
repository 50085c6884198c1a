package org.redissync.syncer.resp;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Redis 7.0's request parser ({@code networking.c}: {@code processInputBuffer}, {@code processMultibulkBuffer},
 * {@code processInlineBuffer}, {@code sdssplitargs}, {@code string2ll}), byte for byte, for one client connection.
 * It accepts what redis-server accepts, refuses the rest with redis-server's own error text, and reports each
 * command's arguments in place so an endpoint can judge a command before Redis sees it.
 *
 * <p>Incremental and forward-only: the caller keeps the bytes of the command being parsed from its start at the
 * buffer's reader index and calls {@link #parse} again when more arrive; the parser resumes where it stopped (it never
 * rescans, and no position ever moves backwards). Offsets are relative to the reader index. A caller that forwards
 * part of an incomplete command (a large argument, streamed) reports it with {@link #consumed}.
 *
 * <p>Rules kept exactly, with their consequences:
 * <ul>
 * <li>A command starting with {@code *} is multibulk, anything else inline.</li>
 * <li>Lengths are {@code string2ll}: digits only, an optional {@code -}, no {@code +}, no leading zero, at most 20
 * characters, no overflow. A multibulk length over {@code INT_MAX} is invalid; {@code <= 0} is an empty request (no
 * reply). A bulk length below 0 or over {@code proto-max-bulk-len} is invalid.</li>
 * <li>Header lines end at the first {@code \r}, found as {@code strchr} finds it: a NUL byte before it hides it for
 * good, so the header grows until it is over 64 KiB ("too big ... count string"). The byte after that {@code \r} is
 * not looked at, and neither are the two bytes after a bulk argument.</li>
 * <li>Inline lines end at the first {@code \n} ({@code strchr}, so a NUL hides it too), split with {@code sdssplitargs}'s
 * quoting; unterminated data over 64 KiB is "too big inline request".</li>
 * </ul>
 * Not modelled: the {@code unauthenticated multibulk/bulk length} limits (Redis applies them only while a password is
 * required and the connection has not authenticated).
 */
public final class RequestParser {

    /** {@code PROTO_INLINE_MAX_SIZE}: an inline request, or a header line, still unterminated after this many bytes is an error. */
    public static final int INLINE_MAX = 64 * 1024;
    /** {@code proto-max-bulk-len}'s default. */
    public static final long DEFAULT_MAX_BULK = 512L * 1024 * 1024;
    /** Arguments whose place is recorded (the rest are counted and checked for the reserved prefix only). */
    public static final int RECORDED = 64;
    /** Keys, channels and patterns the suite keeps for itself (channel positions, the loop marker). */
    public static final byte[] RESERVED_PREFIX = "__redissync:".getBytes(StandardCharsets.US_ASCII);

    /** What one call found. */
    public enum Status {
        /** A whole command: {@link #length()} bytes, its arguments in {@link #args()}. */
        COMMAND,
        /** A request that is no command ({@code \r\n}, {@code *0}, {@code *-1}): {@link #length()} bytes to drop, no reply. */
        EMPTY,
        /** The bytes end inside a request. */
        NEED_MORE,
        /** A protocol error: Redis answers {@link #error()} and closes the connection after the reply. */
        ERROR
    }

    private final long maxBulk;
    private final Args args = new Args();

    // The request being parsed (offsets relative to the buffer's reader index).
    private boolean started;
    private boolean inline;
    private boolean headerDone;
    /** A NUL byte stands before the line end looked for: strchr never finds it (Redis waits for 64 KiB, then errs). */
    private boolean hidden;
    private long argsLeft;
    private long bulk = -1;
    /** Redis's {@code qb_pos}: start of the next header or argument. */
    private int pos;
    /** Where the search for a line end resumes (everything before it was looked at). */
    private int searched;
    private boolean prefixChecked;
    private int length;
    private String error;

    // The buffer of the current call, read by address when it has one.
    private ByteBuf buf;
    private long address;

    public RequestParser() {
        this(DEFAULT_MAX_BULK);
    }

    public RequestParser(long maxBulk) {
        this.maxBulk = maxBulk;
    }

    /** Parses the readable bytes of {@code in} from where the last call stopped; moves no index of {@code in}. */
    public Status parse(ByteBuf in) {
        buf = in;
        address = in.hasMemoryAddress() ? in.memoryAddress() + in.readerIndex() : 0;
        args.buf = in;
        args.address = address;
        try {
            int avail = in.readableBytes();
            if (!started) {
                if (avail == 0) {
                    return Status.NEED_MORE;
                }
                begin(at(0) != '*');
            }
            return inline ? inline(avail) : multibulk(avail);
        } finally {
            buf = null;
        }
    }

    private void begin(boolean isInline) {
        started = true;
        inline = isInline;
        headerDone = false;
        hidden = false;
        argsLeft = 0;
        bulk = -1;
        pos = 0;
        searched = 0;
        length = 0;
        error = null;
        prefixChecked = false;
        args.reset();
    }

    private Status done(Status s, int len) {
        started = false;
        length = len;
        return s;
    }

    private Status fail(String message) {
        started = false;
        error = message;
        return Status.ERROR;
    }

    /** Bytes of the request just parsed (COMMAND, EMPTY). */
    public int length() {
        return length;
    }

    /** The error Redis answers (without {@code -ERR } and line end), after {@link Status#ERROR}. */
    public String error() {
        return error;
    }

    /** The arguments of the command being parsed (complete ones only); valid until the next call. */
    public Args args() {
        return args;
    }

    /** Whether a request is half parsed (its bytes from the reader index must be kept). */
    public boolean midRequest() {
        return started;
    }

    /**
     * How many bytes from the reader index of the request being parsed may be passed on before it is complete:
     * everything up to the argument being read, and that argument's bytes too once its first bytes show it is not
     * reserved ({@link Args#reserved()} turns true when they show it is). 0 for inline requests (converted whole).
     */
    public int forwardable(ByteBuf in) {
        if (!started || inline || !headerDone) {
            return 0;
        }
        if (bulk < 0) {
            return pos;
        }
        if (!prefixChecked) {
            int avail = in.readableBytes();
            int need = (int) Math.min(bulk, RESERVED_PREFIX.length);
            if (avail - pos < need) {
                return pos;
            }
            buf = in;
            address = in.hasMemoryAddress() ? in.memoryAddress() + in.readerIndex() : 0;
            try {
                if (bulk >= RESERVED_PREFIX.length && startsWithReserved(pos)) {
                    args.reserved = true;
                }
            } finally {
                buf = null;
            }
            prefixChecked = true;
        }
        return in.readableBytes();
    }

    /**
     * The caller passed on the first {@code n} bytes (at most {@link #forwardable}) of the request being parsed and
     * dropped them from its buffer: offsets move back by {@code n}; arguments recorded before are no longer readable.
     */
    public void consumed(int n) {
        if (n == 0) {
            return;
        }
        pos -= n;
        searched = Math.max(0, searched - n);
        args.shift(n);
    }

    // ------------------------------------------------------------------------------------------------ inline

    private Status inline(int avail) {
        int nl = hidden ? -1 : find(searched, avail, (byte) '\n');
        if (nl < 0) {
            searched = avail;
            if (avail > INLINE_MAX) {
                return fail("Protocol error: too big inline request");
            }
            return Status.NEED_MORE;
        }
        int lineEnd = nl;
        if (nl > 0 && at(nl - 1) == '\r') {
            lineEnd = nl - 1;
        }
        byte[] line = new byte[lineEnd];
        for (int i = 0; i < lineEnd; i++) {
            line[i] = at(i);
        }
        byte[][] argv = splitArgs(line);
        if (argv == null) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        if (argv.length == 0) {
            return done(Status.EMPTY, nl + 1);
        }
        args.inline(argv);
        return done(Status.COMMAND, nl + 1);
    }

    /**
     * The first {@code target} in {@code [from, to)} as C's {@code strchr} finds it: a NUL byte first means it is never
     * found ({@link #hidden} set). Returns -1 when not found (yet).
     */
    private int find(int from, int to, byte target) {
        for (int i = from; i < to; i++) {
            byte b = at(i);
            if (b == target) {
                return i;
            }
            if (b == 0) {
                hidden = true;
                return -1;
            }
        }
        return -1;
    }

    // --------------------------------------------------------------------------------------------- multibulk

    private Status multibulk(int avail) {
        if (!headerDone) {
            int cr = hidden ? -1 : find(Math.max(searched, 1), avail, (byte) '\r');
            if (cr < 0) {
                searched = avail;
                if (avail > INLINE_MAX) {
                    return fail("Protocol error: too big mbulk count string");
                }
                return Status.NEED_MORE;
            }
            if (cr > avail - 2) {
                searched = cr;
                return Status.NEED_MORE; // the line end's second byte has not arrived
            }
            long n = 0;
            if (!string2ll(1, cr) || (n = number) > Integer.MAX_VALUE) {
                return fail("Protocol error: invalid multibulk length");
            }
            pos = cr + 2;
            searched = pos;
            if (n <= 0) {
                return done(Status.EMPTY, pos);
            }
            headerDone = true;
            argsLeft = n;
            args.total = n;
        }
        while (argsLeft > 0) {
            if (bulk < 0) {
                int cr = hidden ? -1 : find(searched, avail, (byte) '\r');
                if (cr < 0) {
                    searched = avail;
                    if (avail - pos > INLINE_MAX) {
                        return fail("Protocol error: too big bulk count string");
                    }
                    return Status.NEED_MORE;
                }
                if (cr > avail - 2) {
                    searched = cr;
                    return Status.NEED_MORE;
                }
                byte first = at(pos);
                if (first != '$') {
                    return fail(expectedDollar(first));
                }
                long n = 0;
                if (!string2ll(pos + 1, cr) || (n = number) < 0 || n > maxBulk) {
                    return fail("Protocol error: invalid bulk length");
                }
                pos = cr + 2;
                searched = pos;
                bulk = n;
                prefixChecked = false;
            }
            if ((long) avail - pos < bulk + 2) {
                return Status.NEED_MORE;
            }
            int len = (int) bulk;
            if (!prefixChecked && len >= RESERVED_PREFIX.length && startsWithReserved(pos)) {
                args.reserved = true;
            }
            args.add(pos, len);
            pos += len + 2;
            searched = pos;
            bulk = -1;
            argsLeft--;
        }
        return done(Status.COMMAND, pos);
    }

    /**
     * Redis's {@code "Protocol error: expected '$', got '%c'"} as it reaches the client: a line end becomes a space
     * ({@code sdsmapchars}), a NUL ends the message ({@code sdscatvprintf} takes the formatted text to its first NUL),
     * any other byte is sent as it is (one char per byte here).
     */
    static String expectedDollar(byte got) {
        String head = "Protocol error: expected '$', got '";
        if (got == 0) {
            return head;
        }
        char c = got == '\r' || got == '\n' ? ' ' : (char) (got & 0xff);
        return head + c + "'";
    }

    private boolean startsWithReserved(int from) {
        for (int i = 0; i < RESERVED_PREFIX.length; i++) {
            if (at(from + i) != RESERVED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /** The value of the last {@link #string2ll} that succeeded. */
    private long number;

    /** {@code string2ll} of the bytes {@code [from, to)} into {@link #number}: false when Redis would not take them. */
    private boolean string2ll(int from, int to) {
        int len = to - from;
        if (len <= 0 || len >= 21) {
            return false;
        }
        if (len == 1 && at(from) == '0') {
            number = 0;
            return true;
        }
        int p = from;
        boolean negative = false;
        if (at(p) == '-') {
            negative = true;
            p++;
            if (p == to) {
                return false;
            }
        }
        byte d = at(p);
        if (d < '1' || d > '9') {
            return false;
        }
        // Unsigned accumulation as Redis does (unsigned long long), then the signed range check.
        long v = d - '0';
        p++;
        while (p < to) {
            d = at(p);
            if (d < '0' || d > '9') {
                return false;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
                return false;
            }
            v *= 10;
            if (Long.compareUnsigned(v, -1L - (d - '0')) > 0) {
                return false;
            }
            v += d - '0';
            p++;
        }
        if (negative) {
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
                return false;
            }
            number = -v;
            return true;
        }
        if (v < 0) {
            return false;
        }
        number = v;
        return true;
    }

    private byte at(int i) {
        return address != 0 ? PlatformDependent.getByte(address + i) : buf.getByte(buf.readerIndex() + i);
    }

    // ------------------------------------------------------------------------------------------ sdssplitargs

    /** {@code sdssplitargs} of one inline line (no NUL in it: {@code strchr} stopped before any); null when quotes are unbalanced. */
    static byte[][] splitArgs(byte[] line) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int p = 0;
        int n = line.length;
        java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();
        while (true) {
            while (p < n && isSpace(line[p])) {
                p++;
            }
            if (p >= n) {
                return out.toArray(new byte[0][]);
            }
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            current.reset();
            while (!done) {
                int c = p < n ? line[p] : 0; // C's terminating NUL past the end
                int next = p + 1 < n ? line[p + 1] : 0;
                if (inq) {
                    if (c == '\\' && next == 'x' && p + 3 < n && isHex(line[p + 2]) && isHex(line[p + 3])) {
                        current.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
                        p += 3;
                    } else if (c == '\\' && next != 0) {
                        p++;
                        int e = line[p];
                        current.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (next != 0 && !isSpace((byte) next)) {
                            return null; // closing quote must be followed by a space or nothing at all
                        }
                        done = true;
                    } else if (c == 0) {
                        return null; // unterminated quotes
                    } else {
                        current.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && next == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace((byte) next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> current.write(c);
                    }
                }
                if (p < n) {
                    p++;
                }
            }
            out.add(current.toByteArray());
        }
    }

    /** C's {@code isspace} in the C locale. */
    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static int hex(byte b) {
        return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
    }

    // ---------------------------------------------------------------------------------------------- the args

    /**
     * The arguments of the command being parsed, read where they lie (multibulk: in the caller's buffer, relative to its
     * reader index) or from the split inline line.
     */
    public static final class Args {
        private ByteBuf buf;
        /** The buffer's address at its reader index when parsed (0: none). */
        private long address;
        private final int[] off = new int[RECORDED];
        private final int[] len = new int[RECORDED];
        private int count;
        private long total;
        private byte[][] inline;
        private boolean reserved;
        private int shifted;

        void reset() {
            count = 0;
            total = 0;
            inline = null;
            reserved = false;
            shifted = 0;
        }

        void add(int offset, int length) {
            if (count < RECORDED) {
                off[count] = offset;
                len[count] = length;
            }
            count++;
        }

        void inline(byte[][] argv) {
            inline = argv;
            count = argv.length;
            total = argv.length;
            for (byte[] a : argv) {
                if (startsWith(a, RESERVED_PREFIX)) {
                    reserved = true;
                }
            }
        }

        void shift(int n) {
            shifted += n;
            for (int i = 0; i < Math.min(count, RECORDED); i++) {
                off[i] -= n;
            }
        }

        /** Arguments parsed completely so far. */
        public int count() {
            return count;
        }

        /** Arguments the command has (its multibulk length). */
        public long total() {
            return total;
        }

        /** Whether the command came inline (its arguments were split from a line, not read in place). */
        public boolean isInline() {
            return inline != null;
        }

        /** Whether an argument starts with {@link #RESERVED_PREFIX}. */
        public boolean reserved() {
            return reserved;
        }

        /** Whether argument {@code i} can still be read (parsed, recorded, not passed on yet). */
        public boolean readable(int i) {
            return i < count && (inline != null || (i < RECORDED && off[i] >= 0));
        }

        public int length(int i) {
            return inline != null ? inline[i].length : len[i];
        }

        public byte byteAt(int i, int j) {
            if (inline != null) {
                return inline[i][j];
            }
            // by address when the buffer has one (valid until the next parse: the caller judges before it moves on)
            return address != 0 ? PlatformDependent.getByte(address + off[i] + j) : buf.getByte(buf.readerIndex() + off[i] + j);
        }

        /** Argument {@code i} equals {@code upper} (ASCII upper case) ignoring case. */
        public boolean is(int i, String upper) {
            if (!readable(i) || length(i) != upper.length()) {
                return false;
            }
            for (int j = 0; j < upper.length(); j++) {
                byte b = byteAt(i, j);
                if (b >= 'a' && b <= 'z') {
                    b -= 32;
                }
                if (b != upper.charAt(j)) {
                    return false;
                }
            }
            return true;
        }

        /** Argument {@code i} as text (ISO-8859-1, one char per byte), for policy decisions and messages. */
        public String string(int i) {
            int n = length(i);
            char[] c = new char[n];
            for (int j = 0; j < n; j++) {
                c[j] = (char) (byteAt(i, j) & 0xff);
            }
            return new String(c);
        }

        /** Argument {@code i}'s bytes. */
        public byte[] bytes(int i) {
            if (inline != null) {
                return inline[i];
            }
            byte[] b = new byte[len[i]];
            buf.getBytes(buf.readerIndex() + off[i], b);
            return b;
        }

        /** The inline command as a multibulk request (what the backend is sent). */
        public byte[] toMultibulk() {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[][] a = inline;
            write(out, "*" + a.length + "\r\n");
            for (byte[] x : a) {
                write(out, "$" + x.length + "\r\n");
                out.write(x, 0, x.length);
                write(out, "\r\n");
            }
            return out.toByteArray();
        }

        private static void write(java.io.ByteArrayOutputStream out, String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b, 0, b.length);
        }

        private static boolean startsWith(byte[] a, byte[] prefix) {
            if (a.length < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
