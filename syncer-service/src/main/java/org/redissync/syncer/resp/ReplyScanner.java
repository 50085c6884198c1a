package org.redissync.syncer.resp;

/**
 * Finds where each reply ends in a backend connection's byte stream, across buffer boundaries, without
 * copying: bulk payloads are skipped by their length, aggregates counted down. Knows RESP2 and RESP3,
 * push frames ({@code >}) included; an attribute ({@code |}) counts as a frame of its own (the commands
 * that make Redis send one are refused at endpoints).
 */
public final class ReplyScanner {

    /** A reply Redis would never send on a shared connection. */
    public static final class ProtocolException extends RuntimeException {
        public ProtocolException(String message) {
            super(message);
        }
    }

    private enum State { TYPE, LINE, HEADER, BODY }

    private State state = State.TYPE;
    private byte type;
    private long number;
    private boolean negative;
    private long bodyLeft;
    /** Elements still expected by each open aggregate, innermost last. */
    private long[] open = new long[8];
    private int depth;

    /**
     * Scans {@code bytes[from, to)} (any {@link io.netty.buffer.ByteBuf}); returns the offset just past
     * the first reply that completes there, or -1 when the bytes end inside a reply.
     */
    public int next(io.netty.buffer.ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to) {
            switch (state) {
                case TYPE -> {
                    type = buf.getByte(i++);
                    switch (type) {
                        case '+', '-', ':', ',', '#', '_', '(' -> state = State.LINE;
                        case '$', '!', '=', '*', '~', '%', '>', '|' -> {
                            state = State.HEADER;
                            number = 0;
                            negative = false;
                        }
                        default -> throw new ProtocolException("unexpected reply type byte " + (type & 0xff));
                    }
                }
                case LINE -> {
                    int lf = buf.indexOf(i, to, (byte) '\n');
                    if (lf < 0) {
                        return -1;
                    }
                    i = lf + 1;
                    if (elementDone()) {
                        return i;
                    }
                }
                case HEADER -> {
                    byte b = buf.getByte(i++);
                    if (b >= '0' && b <= '9') {
                        number = number * 10 + (b - '0');
                    } else if (b == '-') {
                        negative = true;
                    } else if (b == '\n') {
                        if (header(negative ? -number : number)) {
                            return i;
                        }
                    } else if (b != '\r') {
                        throw new ProtocolException("bad length in reply header");
                    }
                }
                case BODY -> {
                    long skip = Math.min(bodyLeft, to - i);
                    bodyLeft -= skip;
                    i += (int) skip;
                    if (bodyLeft == 0 && elementDone()) {
                        return i;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return -1;
    }

    /** Whether the bytes scanned so far end exactly where a top-level reply ended (the next byte starts a new one). */
    public boolean atBoundary() {
        return state == State.TYPE && depth == 0;
    }

    /** A header line ended; returns whether a whole top-level reply ended with it. */
    private boolean header(long n) {
        switch (type) {
            case '$', '!', '=' -> {
                if (n < 0) {
                    return elementDone();
                }
                bodyLeft = n + 2;
                state = State.BODY;
                return false;
            }
            default -> {
                long elements = type == '%' || type == '|' ? n * 2 : n;
                if (elements <= 0) {
                    return elementDone();
                }
                if (depth == open.length) {
                    open = java.util.Arrays.copyOf(open, depth * 2);
                }
                open[depth++] = elements;
                state = State.TYPE;
                return false;
            }
        }
    }

    /** One element is complete: count it against the open aggregates; true when nothing is open. */
    private boolean elementDone() {
        state = State.TYPE;
        while (depth > 0) {
            if (--open[depth - 1] > 0) {
                return false;
            }
            depth--;
        }
        return true;
    }
}
